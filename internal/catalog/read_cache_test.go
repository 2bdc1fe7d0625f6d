package catalog

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// startCatalogConfig is startCatalog with cfg.
func startCatalogConfig(t *testing.T, s moduletest.Store, cfg Config) *api {
	t.Helper()
	h := moduletest.NewHarness(t, s)
	dir := &fakeDirectory{users: map[string]bool{}}
	svc, err := newService(context.Background(), cfg, h.Deps, dir, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, svc)
	return &api{t: t, h: h, svc: svc, dir: dir, tokens: map[string]string{}}
}

// cachedRead reads path anonymously until the cache answers (the
// catalog's own events, consumed a moment after each change, drop it
// meanwhile), and returns the miss that filled it and the hit.
func (c *api) cachedRead(path string) (miss, hit reply) {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		miss = c.expect(http.StatusOK, "GET", path, "", nil)
		hits := c.svc.reads.hits.Load()
		hit = c.expect(http.StatusOK, "GET", path, "", nil)
		if c.svc.reads.hits.Load() > hits {
			return miss, hit
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("anonymous reads of %s are never answered from the cache", path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// longCache keeps answers for an hour: only invalidation can drop them
// within a test.
func longCache() Config {
	cfg := DefaultConfig()
	cfg.ReadCacheTTL = time.Hour
	return cfg
}

func TestReadCacheServesAnonymousReadsAndDropsThemOnChange(t *testing.T) {
	t.Parallel()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			c := startCatalogConfig(t, s, longCache())
			alice, mod := c.user(authorRole), c.user(moderatorRole)
			aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Alice"}).str("id")
			id := c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{
				"title": "First", "kind": "book", "author_ids": []string{aid}, "status": "published"}).str("id")
			path, list := "/v1/media/"+id, "/v1/media?author_id="+aid

			// A hit answers the same bytes and headers as the miss that filled it.
			miss, hit := c.cachedRead(path)
			if hit.raw != miss.raw || hit.header.Get("ETag") != miss.header.Get("ETag") || miss.header.Get("ETag") == "" ||
				hit.header.Get("Content-Type") != miss.header.Get("Content-Type") {
				t.Fatalf("hit differs from miss:\n%v %s\n%v %s", miss.header, miss.raw, hit.header, hit.raw)
			}
			etag := hit.header.Get("ETag")
			// If-None-Match: 304 from the cache, and for a signed-in caller.
			if r := c.expect(http.StatusNotModified, "GET", path, "", nil, "If-None-Match", etag); r.raw != "" {
				t.Fatalf("304 with a body: %q", r.raw)
			}
			c.expect(http.StatusNotModified, "GET", path, alice, nil, "If-None-Match", `W/`+etag)
			c.expect(http.StatusOK, "GET", path, "", nil, "If-None-Match", `"999"`)
			if got := c.expect(http.StatusOK, "GET", list, "", nil).items(); len(got) != 1 || got[0]["title"] != "First" {
				t.Fatalf("list: %v", got)
			}
			c.expect(http.StatusOK, "GET", list, "", nil)

			// An edit is seen by the next anonymous read, item and list.
			c.expect(http.StatusOK, "PATCH", path, alice, map[string]any{"title": "Second"})
			if r := c.expect(http.StatusOK, "GET", path, "", nil); r.str("title") != "Second" || r.header.Get("ETag") == etag {
				t.Fatalf("after the edit: %v %s", r.header, r.raw)
			}
			c.expect(http.StatusNotModified, "GET", path, "", nil, "If-None-Match", `"2"`)
			if got := c.expect(http.StatusOK, "GET", list, "", nil).items(); len(got) != 1 || got[0]["title"] != "Second" {
				t.Fatalf("list after the edit: %v", got)
			}

			// Unpublished: gone for anonymous callers at once; its members
			// still see the draft, and their reads do not reach the cache.
			c.expect(http.StatusOK, "PATCH", path, alice, map[string]any{"status": "draft"})
			c.expect(http.StatusNotFound, "GET", path, "", nil)
			if got := c.expect(http.StatusOK, "GET", list, "", nil).items(); len(got) != 0 {
				t.Fatalf("unpublished item still listed: %v", got)
			}
			for range 2 {
				if r := c.expect(http.StatusOK, "GET", path, alice, nil); r.str("status") != "draft" {
					t.Fatalf("member read: %s", r.raw)
				}
				if got := c.expect(http.StatusOK, "GET", list, alice, nil).items(); len(got) != 1 {
					t.Fatalf("member list: %v", got)
				}
				c.expect(http.StatusNotFound, "GET", path, "", nil)
				if got := c.expect(http.StatusOK, "GET", list, "", nil).items(); len(got) != 0 {
					t.Fatalf("a member's list leaked to an anonymous caller: %v", got)
				}
			}

			// Published again, then removed.
			c.expect(http.StatusOK, "PATCH", path, alice, map[string]any{"status": "published"})
			c.expect(http.StatusOK, "GET", path, "", nil)
			c.expect(http.StatusOK, "GET", path, "", nil)
			c.expect(http.StatusNoContent, "DELETE", path, alice, nil)
			c.expect(http.StatusNotFound, "GET", path, "", nil)
			if got := c.expect(http.StatusOK, "GET", list, "", nil).items(); len(got) != 0 {
				t.Fatalf("removed item still listed: %v", got)
			}
			c.expect(http.StatusOK, "POST", path+"/restore", mod, nil)
			c.expect(http.StatusOK, "GET", path, "", nil)

			// An author's removal hides its media at once (before the saga
			// removes them): everything is dropped.
			c.expect(http.StatusOK, "GET", list, "", nil)
			c.expect(http.StatusNoContent, "DELETE", "/v1/authors/"+aid, alice, nil)
			c.expect(http.StatusNotFound, "GET", path, "", nil)
			if got := c.expect(http.StatusOK, "GET", list, "", nil).items(); len(got) != 0 {
				t.Fatalf("removed author's media still listed: %v", got)
			}
		})
	}
}

// TestReadCacheDroppedByEvents: a change made by another replica (a store
// that does not drop this replica's cache) reaches it through the
// catalog's events.
func TestReadCacheDroppedByEvents(t *testing.T) {
	t.Parallel()
	c := startCatalogConfig(t, moduletest.Stores(t)[0], longCache())
	alice := c.user(authorRole)
	aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Alice"}).str("id")
	id := c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{
		"title": "First", "kind": "book", "author_ids": []string{aid}, "status": "published"}).str("id")
	path := "/v1/media/" + id
	c.cachedRead(path)

	other := NewStore(c.svc.db).WithEvents(c.svc.events) // another replica's store
	title := "Changed elsewhere"
	if _, err := other.UpdateMedia(context.Background(), id, nil, nil, func(m *domain.Media, refs domain.References) error {
		return m.Update(domain.Actor{UserID: alice, Author: true}, domain.MediaFields{Title: &title}, refs, c.svc.limits, 0, c.svc.now())
	}); err != nil {
		t.Fatal(err)
	}
	// Without the event the cached answer would stay for the hour.
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := c.expect(http.StatusOK, "GET", path, "", nil)
		if r.str("title") == title {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the event never dropped the cached answer: %s", r.raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReadCacheRefusesAnswersOlderThanAnInvalidation: an answer read before
// a change committed is not stored after the change dropped the cache.
func TestReadCacheRefusesAnswersOlderThanAnInvalidation(t *testing.T) {
	c, err := newReadCache(time.Hour, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	_, ok, token := c.get(mediaReadKey("a"))
	if ok {
		t.Fatal("hit in an empty cache")
	}
	c.forgetSubject("media/b")
	c.put(mediaReadKey("a"), cachedRead{body: []byte("old")}, token)
	if _, ok, _ := c.get(mediaReadKey("a")); ok {
		t.Fatal("an answer older than an invalidation was stored")
	}
	_, _, token = c.get(listReadKey("kind=book"))
	c.put(listReadKey("kind=book"), cachedRead{body: []byte("page")}, token)
	_, _, token = c.get(mediaReadKey("a"))
	c.put(mediaReadKey("a"), cachedRead{body: []byte("item")}, token)
	if _, ok, _ := c.get(listReadKey("kind=book")); !ok {
		t.Fatal("list page not stored")
	}
	c.forgetSubject("media/c")
	if _, ok, _ := c.get(listReadKey("kind=book")); ok {
		t.Fatal("a media change did not drop the list pages")
	}
	if _, ok, _ := c.get(mediaReadKey("a")); !ok {
		t.Fatal("a change of another item dropped this one")
	}
	c.forgetSubject("author/x")
	if _, ok, _ := c.get(mediaReadKey("a")); ok {
		t.Fatal("an author's change did not drop the items")
	}
	if nc, _ := newReadCache(0, 100); nc != nil {
		t.Fatal("a zero TTL made a cache")
	}
}

func TestETagMatches(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{{"", false}, {`"3"`, true}, {`W/"3"`, true}, {`"1", "3"`, true}, {"*", true}, {`"4"`, false}} {
		if got := etagMatches(tc.header, `"3"`); got != tc.want {
			t.Errorf("etagMatches(%q) = %v", tc.header, got)
		}
	}
}
