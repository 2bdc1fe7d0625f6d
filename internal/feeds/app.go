package feeds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// app is the feeds' application layer: the consumers' commands that keep
// the read model, and the queries the feeds are rendered from, behind a
// cache of rendered documents.
type app struct {
	// changed runs after every committed change of the read model.
	changed func()
	store   *Store
	cache   *cache
	log     *slog.Logger
	metrics *metrics
}

// applyMedia records an item's new state; once the change commits, every
// rendered feed is dropped (an item can be in many feeds: its authors',
// categories', tags', the OPDS lists, the sitemap).
func (a *app) applyMedia(ctx context.Context, st *Store, m domain.Media, force bool) error {
	changed, err := st.PutMedia(ctx, m, force)
	if err != nil || !changed {
		return err
	}
	events.AfterCommit(ctx, a.cache.invalidate)
	if a.changed != nil {
		events.AfterCommit(ctx, a.changed)
	}
	return nil
}

func (a *app) applyAuthor(ctx context.Context, st *Store, au domain.Author, force bool) error {
	changed, err := st.PutAuthor(ctx, au, force)
	if err != nil || !changed {
		return err
	}
	events.AfterCommit(ctx, a.cache.invalidate)
	return nil
}

func (a *app) applyCategory(ctx context.Context, st *Store, c domain.Category, force bool) error {
	changed, err := st.PutCategory(ctx, c, force)
	if err != nil || !changed {
		return err
	}
	events.AfterCommit(ctx, a.cache.invalidate)
	return nil
}

// item is a listed media item with its credited authors resolved.
type item struct {
	domain.Media
	Authors []domain.Author
}

// listItems runs q and resolves the items' authors (active ones only).
func (a *app) listItems(ctx context.Context, q mediaQuery) ([]item, error) {
	ms, err := a.store.ListMedia(ctx, q)
	if err != nil {
		return nil, err
	}
	return a.withAuthors(ctx, ms)
}

// itemsByIDs returns the listed items among ids, in that order.
func (a *app) itemsByIDs(ctx context.Context, ids []string) ([]item, error) {
	ms, err := a.store.MediaByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return a.withAuthors(ctx, ms)
}

func (a *app) withAuthors(ctx context.Context, ms []domain.Media) ([]item, error) {
	var ids []string
	for _, m := range ms {
		for _, id := range m.AuthorIDs {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	authors, err := a.store.Authors(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]item, 0, len(ms))
	for _, m := range ms {
		if !m.Listed() {
			continue
		}
		it := item{Media: m}
		for _, id := range m.AuthorIDs {
			if au, ok := authors[id]; ok && au.Listed() {
				it.Authors = append(it.Authors, au)
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// author returns a listed author.
func (a *app) author(ctx context.Context, id string) (domain.Author, bool, error) {
	m, err := a.store.Authors(ctx, []string{id})
	if err != nil {
		return domain.Author{}, false, err
	}
	au, ok := m[id]
	return au, ok && au.Listed(), nil
}

// category returns a listed category by ID or slug.
func (a *app) category(ctx context.Context, idOrSlug string, byID bool) (domain.Category, bool, error) {
	c, ok, err := a.store.Category(ctx, idOrSlug, byID)
	return c, ok && c.Listed(), err
}

// rendered is one feed document as served.
type rendered struct {
	gen         uint64
	body        []byte
	contentType string
	etag        string
	modified    time.Time
	// expires, when set, is when the cache stops serving it (pages built
	// from another service's data that no catalog event invalidates).
	expires time.Time
}

func newRendered(body []byte, contentType string, modified time.Time) *rendered {
	sum := sha256.Sum256(body)
	return &rendered{body: body, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:12]) + `"`,
		modified: modified.UTC().Truncate(time.Second)}
}

// cache holds rendered feeds for the current generation of the read model.
// Every committed change moves the generation on, so an entry built from
// older data is never served again, even one whose build started before the
// change and finished after it.
type cache struct {
	gen     atomic.Uint64
	mu      sync.RWMutex
	entries map[string]*rendered
	max     int
}

func newCache(max int) *cache { return &cache{entries: map[string]*rendered{}, max: max} }

// generation is the read model's generation, taken before reading it.
func (c *cache) generation() uint64 { return c.gen.Load() }

func (c *cache) get(key string) (*rendered, bool) {
	if c.max <= 0 {
		return nil, false
	}
	c.mu.RLock()
	r, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || r.gen != c.gen.Load() || (!r.expires.IsZero() && time.Now().After(r.expires)) {
		return nil, false
	}
	return r, true
}

// put keeps r, built from the read model as of generation gen.
func (c *cache) put(key string, gen uint64, r *rendered) {
	if c.max <= 0 || gen != c.gen.Load() {
		return
	}
	r.gen = gen
	c.mu.Lock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[key] = r
	c.mu.Unlock()
}

// invalidate drops every rendered feed.
func (c *cache) invalidate() {
	c.gen.Add(1)
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}
