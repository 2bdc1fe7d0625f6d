package storage

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// testRedisURL is the shared Redis of the test machines; each test keeps
// its keys under a prefix of its own.
const testRedisURL = "redis://127.0.0.1:6379/0"

func requireRedis(t *testing.T) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
	if err != nil {
		testkit.SkipOrFail(t, "Redis on 127.0.0.1:6379", err)
	}
	_ = c.Close()
}

// Both implementations of the access cache pass the same contract.
func TestAccessCacheContract(t *testing.T) {
	t.Parallel()
	impls := map[string]func(t *testing.T, ttl time.Duration) accessCache{
		"memory": func(t *testing.T, ttl time.Duration) accessCache {
			c, err := newMemoryAccessCache(ttl, 1000)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		"redis": func(t *testing.T, ttl time.Duration) accessCache {
			requireRedis(t)
			c, err := newRedisAccessCache(context.Background(), testRedisURL,
				"alexandria:test:storage:access:"+uuid.NewString()+":", ttl)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
	}
	for name, open := range impls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			answer := func(id string) cachedAnswer {
				return cachedAnswer{Found: true, Access: Access{MediaID: id, Status: "published", CanView: true}}
			}
			// fill stores an answer for (id, caller) the way cachedAccess does.
			fill := func(t *testing.T, c accessCache, id, caller string, a cachedAnswer) {
				t.Helper()
				if _, ok, token := c.Get(ctx, id, caller); ok {
					t.Fatalf("%s/%s cached before it was stored", id, caller)
				} else {
					c.Put(ctx, id, caller, a, token)
				}
			}
			has := func(c accessCache, id, caller string) (cachedAnswer, bool) {
				got, ok, _ := c.Get(ctx, id, caller)
				return got, ok
			}

			t.Run("stores_by_item_and_caller", func(t *testing.T) {
				c := open(t, time.Minute)
				defer c.Close()
				a, b := uuid.NewString(), uuid.NewString()
				fill(t, c, a, "anon", answer(a))
				fill(t, c, b, "anon", cachedAnswer{}) // not found is an answer too
				if got, ok := has(c, a, "anon"); !ok || got != answer(a) {
					t.Fatalf("a: %+v %v", got, ok)
				}
				if got, ok := has(c, b, "anon"); !ok || got.Found {
					t.Fatalf("b: %+v %v, want a cached not-found", got, ok)
				}
				if _, ok := has(c, a, "t:other"); ok {
					t.Fatal("another caller got a's answer")
				}
			})
			t.Run("forget_media_drops_only_that_item", func(t *testing.T) {
				c := open(t, time.Minute)
				defer c.Close()
				a, b := uuid.NewString(), uuid.NewString()
				fill(t, c, a, "anon", answer(a))
				fill(t, c, a, "u:1", answer(a))
				fill(t, c, b, "anon", answer(b))
				if err := c.ForgetMedia(ctx, a); err != nil {
					t.Fatal(err)
				}
				if _, ok := has(c, a, "anon"); ok {
					t.Fatal("a still cached for anon")
				}
				if _, ok := has(c, a, "u:1"); ok {
					t.Fatal("a still cached for u:1")
				}
				if _, ok := has(c, b, "anon"); !ok {
					t.Fatal("b was dropped too")
				}
				fill(t, c, a, "anon", answer(a))
				if _, ok := has(c, a, "anon"); !ok {
					t.Fatal("a cannot be cached again after being forgotten")
				}
			})
			t.Run("forget_all_drops_everything", func(t *testing.T) {
				c := open(t, time.Minute)
				defer c.Close()
				a, b := uuid.NewString(), uuid.NewString()
				fill(t, c, a, "anon", answer(a))
				fill(t, c, b, "anon", answer(b))
				if err := c.ForgetAll(ctx); err != nil {
					t.Fatal(err)
				}
				if _, ok := has(c, a, "anon"); ok {
					t.Fatal("a survived ForgetAll")
				}
				if _, ok := has(c, b, "anon"); ok {
					t.Fatal("b survived ForgetAll")
				}
				fill(t, c, a, "anon", answer(a))
				if _, ok := has(c, a, "anon"); !ok {
					t.Fatal("nothing can be cached after ForgetAll")
				}
			})
			t.Run("an_answer_older_than_an_invalidation_is_not_kept", func(t *testing.T) {
				for _, forget := range []func(c accessCache, id string) error{
					func(c accessCache, id string) error { return c.ForgetMedia(ctx, id) },
					func(c accessCache, _ string) error { return c.ForgetAll(ctx) },
				} {
					c := open(t, time.Minute)
					a := uuid.NewString()
					_, _, token := c.Get(ctx, a, "anon")
					// catalog answered, then the item changed before the answer is stored
					if err := forget(c, a); err != nil {
						t.Fatal(err)
					}
					c.Put(ctx, a, "anon", answer(a), token)
					if _, ok := has(c, a, "anon"); ok {
						t.Fatal("an answer fetched before the invalidation was kept")
					}
					_ = c.Close()
				}
			})
			t.Run("answers_expire", func(t *testing.T) {
				c := open(t, 300*time.Millisecond)
				defer c.Close()
				a := uuid.NewString()
				fill(t, c, a, "anon", answer(a))
				if _, ok := has(c, a, "anon"); !ok {
					t.Fatal("not cached")
				}
				testkit.Eventually(t, "the answer expires", func() bool {
					_, ok := has(c, a, "anon")
					return !ok
				})
			})
		})
	}
}

// countingAccess counts the questions that reach catalog.
type countingAccess struct {
	AccessChecker
	asked atomic.Int64
}

func (c *countingAccess) Access(ctx context.Context, id, authz string) (Access, error) {
	c.asked.Add(1)
	return c.AccessChecker.Access(ctx, id, authz)
}

func (c *countingAccess) AccessFor(ctx context.Context, id, user string) (Access, error) {
	c.asked.Add(1)
	return c.AccessChecker.AccessFor(ctx, id, user)
}

// Downloads ask catalog once per TTL, and catalog's events drop the answer:
// an item removed is refused within a second, with both caches.
func TestDownloadAccessIsCachedAndDroppedByEvents(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	for _, redisURL := range []string{"", testRedisURL} {
		name := "memory"
		if redisURL != "" {
			name = "redis"
		}
		t.Run(name, func(t *testing.T) {
			if redisURL != "" {
				requireRedis(t)
			}
			e := newEnv(t, s, "", func(c *Config) { c.AccessCacheTTL = time.Hour; c.RedisURL = redisURL })
			uid, authz := e.user()
			media := e.catalog.newMedia(KindBook, "published", uid)
			data := makePDF("cached", 64<<10)
			expectStatus(t, e.tusUpload(authz, media, data), http.StatusNoContent)
			counting := &countingAccess{AccessChecker: e.svc.access}
			e.svc.downloads = cachedAccess{next: counting, cache: e.svc.accessCache, hit: func(string) {}}

			path := "/v1/media/" + media + "/content"
			for range 5 {
				expectStatus(t, e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": "bytes=0-1023"}),
					http.StatusPartialContent)
			}
			if n := counting.asked.Load(); n != 1 {
				t.Fatalf("catalog asked %d times for 5 ranges, want 1", n)
			}

			e.catalog.setStatus(media, "removed")
			// Without an event the cached answer holds (TTL one hour).
			expectStatus(t, e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": "bytes=0-1023"}),
				http.StatusPartialContent)
			removedAt := time.Now()
			e.publish("catalog", eventMediaRemoved, media, map[string]string{"id": media, "status": "removed"})
			testkit.Eventually(t, "the removed item is refused", func() bool {
				resp := e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": "bytes=0-1023"})
				_ = read(t, resp)
				return resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone ||
					resp.StatusCode == http.StatusUnauthorized
			})
			if took := time.Since(removedAt); took > time.Second {
				t.Fatalf("the removed item was served for %s after the event", took)
			}

			// A membership change drops every answer.
			other := e.catalog.newMedia(KindBook, "published", uid)
			expectStatus(t, e.tusUpload(authz, other, data), http.StatusNoContent)
			otherPath := "/v1/media/" + other + "/content"
			expectStatus(t, e.do(nil, http.MethodGet, otherPath, "", nil, nil), http.StatusOK)
			before := counting.asked.Load()
			e.publish("catalog", eventMemberRemoved, other, map[string]string{"author_id": uuid.NewString(), "user_id": uid})
			testkit.Eventually(t, "catalog is asked again after a membership change", func() bool {
				expectStatus(t, e.do(nil, http.MethodGet, otherPath, "", nil, nil), http.StatusOK)
				return counting.asked.Load() > before
			})
		})
	}
}

// A catalog that cannot answer is not cached: the next request asks again.
func TestAccessCacheKeepsNoErrors(t *testing.T) {
	t.Parallel()
	c, err := newMemoryAccessCache(time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var calls atomic.Int64
	failing := cachedAccess{next: failingAccess{&calls}, cache: c, hit: func(string) {}}
	for range 3 {
		if _, err := failing.Access(context.Background(), uuid.NewString(), ""); errs.KindOf(err) != errs.Unavailable {
			t.Fatalf("err %v", err)
		}
	}
	id := uuid.NewString()
	for range 2 {
		_, _ = failing.Access(context.Background(), id, "")
	}
	if calls.Load() != 5 {
		t.Fatalf("catalog asked %d times, want 5 (errors are not cached)", calls.Load())
	}
}

type failingAccess struct{ calls *atomic.Int64 }

func (f failingAccess) Access(context.Context, string, string) (Access, error) {
	f.calls.Add(1)
	return Access{}, errs.Wrap(errs.Unavailable, errors.New("down"), "the catalog cannot be reached")
}

func (f failingAccess) AccessFor(ctx context.Context, id, _ string) (Access, error) {
	return f.Access(ctx, id, "")
}
