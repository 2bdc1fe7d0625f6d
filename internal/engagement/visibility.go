package engagement

import (
	"context"
	"sync"
	"time"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// visibilityCache remembers, for the view path, whether items are visible,
// so that a burst of views of one item reads the store once instead of
// once per view. It is fed by catalog's events: the consumer that applies
// an item's change forgets the item once its transaction commits, so this
// process never answers from before a change it applied. Another replica
// (PostgreSQL, several engagement processes) applies changes this one does
// not see; an entry is therefore trusted for ttl at most, which bounds how
// long a replica keeps counting views of an item just hidden, or refusing
// those of an item just published. Only views use it: likes, follows and
// progress read the store, where a stale answer would be a wrong 404 or a
// write that should have been refused.
type visibilityCache struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	gen     uint64 // bumped by every forget: loads begun before it are not kept
	entries map[string]visibilityEntry
}

type visibilityEntry struct {
	visible bool
	until   time.Time
}

func newVisibilityCache(ttl time.Duration, max int) *visibilityCache {
	return &visibilityCache{ttl: ttl, max: max, entries: map[string]visibilityEntry{}}
}

// lookup returns the cached answer for id, if fresh, and the generation a
// load must present to store its answer.
func (c *visibilityCache) lookup(id string, now time.Time) (visible, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, found := c.entries[id]
	if found && now.Before(e.until) {
		return e.visible, true, c.gen
	}
	return false, false, c.gen
}

// store keeps a loaded answer unless something was forgotten since the
// load began (it may have read the store before that change committed).
func (c *visibilityCache) store(id string, visible bool, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= c.max {
		// Bounded: start over rather than track recency per view.
		clear(c.entries)
	}
	c.entries[id] = visibilityEntry{visible: visible, until: now.Add(c.ttl)}
}

// forget drops id and invalidates loads in flight.
func (c *visibilityCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, id)
}

// viewable returns NotFound unless readers may see the item, reading the
// store only when the cache has no fresh answer.
func (s *Service) viewable(ctx context.Context, id string) error {
	if !domain.ValidID(id) {
		return errs.NotFoundf("no such media item")
	}
	now := time.Now()
	visible, ok, gen := s.visibility.lookup(id, now)
	if !ok {
		m, found, err := s.store.media(ctx, id)
		if err != nil {
			return err
		}
		visible = found && m.Visible()
		s.visibility.store(id, visible, gen, now)
	}
	if !visible {
		return errs.NotFoundf("no such media item")
	}
	return nil
}
