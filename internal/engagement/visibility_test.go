package engagement

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestVisibilityCacheLoads(t *testing.T) {
	c := newVisibilityCache(time.Minute, 2)
	now := time.Now()
	if _, ok, _ := c.lookup("a", now); ok {
		t.Fatal("empty cache answered")
	}
	// A load that began before a forget is not kept: it may have read the
	// store before the change committed.
	_, _, gen := c.lookup("a", now)
	c.forget("b")
	c.store("a", true, gen, now)
	if _, ok, _ := c.lookup("a", now); ok {
		t.Fatal("a load from before a change was kept")
	}
	_, _, gen = c.lookup("a", now)
	c.store("a", true, gen, now)
	if v, ok, _ := c.lookup("a", now); !ok || !v {
		t.Fatal("a load was not kept")
	}
	if _, ok, _ := c.lookup("a", now.Add(time.Minute)); ok {
		t.Fatal("an entry outlived its ttl")
	}
	c.forget("a")
	if _, ok, _ := c.lookup("a", now); ok {
		t.Fatal("forget kept the entry")
	}
	// Bounded: a full cache starts over.
	for _, id := range []string{"x", "y", "z"} {
		_, _, gen = c.lookup(id, now)
		c.store(id, false, gen, now)
	}
	if len(c.entries) > 2 {
		t.Fatalf("%d entries, max 2", len(c.entries))
	}
}

// The view path answers from the cache, and a change this process's
// consumer applies reaches it as soon as it commits: with entries trusted
// for an hour, only that invalidation can turn these answers around.
func TestViewPathSeesCatalogChanges(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		c.svc.visibility.mu.Lock()
		c.svc.visibility.ttl = time.Hour
		c.svc.visibility.mu.Unlock()
		aid := c.activeAuthor()
		mid := c.publishedVideo(600, aid)
		later := uuid.NewString()
		play := map[string]any{"seconds_played": 12}
		c.expect(http.StatusAccepted, "POST", "/v1/media/"+mid+"/views", "", play)
		c.expect(http.StatusNotFound, "POST", "/v1/media/"+later+"/views", "", play)

		c.media(eventMediaUpdated, catalogMediaItem{ID: mid, Kind: "video", Status: "draft", Authors: []string{aid}, Version: 3})
		c.media(eventMediaPublished, catalogMediaItem{ID: later, Kind: "video", Status: "published", Authors: []string{aid},
			Duration: 60, PublishedAt: time.Now(), Version: 2})
		eventually(t, "hidden item's views refused", func() bool {
			return c.call("POST", "/v1/media/"+mid+"/views", "", play).status == http.StatusNotFound
		})
		eventually(t, "published item's views taken", func() bool {
			return c.call("POST", "/v1/media/"+later+"/views", "", play).status == http.StatusAccepted
		})
	})
}
