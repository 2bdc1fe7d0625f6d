package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Downloads ask catalog whether the caller may view an item. Each range
// request of a player would cost one HTTP call, so the answers are cached
// for a short time (storage.access_cache_ttl) and dropped as soon as
// catalog says something changed (consume_access.go): an item updated,
// removed, restored or deleted drops that item's answers; an author's or a
// membership's change drops them all (storage does not know which items
// an author credits). In memory by default; in Redis (storage.redis_url)
// when several replicas serve downloads, so that the one replica that
// receives an event drops the answer for all of them.
//
// Only what a download reads is cached: an answer, or that the item does
// not exist for the caller. Errors (catalog unreachable, a token catalog
// refuses) are never cached. Uploads and link creation always ask.

// accessCache keeps catalog's answers by item and caller.
type accessCache interface {
	// Get returns the cached answer, and a token to pass to Put.
	Get(ctx context.Context, mediaID, caller string) (cachedAnswer, bool, uint64)
	// Put keeps an answer, unless anything was invalidated since the Get
	// that handed out token (the answer may predate the change).
	Put(ctx context.Context, mediaID, caller string, a cachedAnswer, token uint64)
	// ForgetMedia drops every answer about one item.
	ForgetMedia(ctx context.Context, mediaID string) error
	// ForgetAll drops every answer.
	ForgetAll(ctx context.Context) error
	Close() error
}

// cachedAnswer is catalog's answer: Found false is "no such item" (404).
type cachedAnswer struct {
	Found  bool   `json:"f"`
	Access Access `json:"a"`
}

// cachedAccess is an AccessChecker that asks catalog only on a miss.
type cachedAccess struct {
	next  AccessChecker
	cache accessCache
	hit   func(result string)
}

// callerKey names a caller without keeping their token: the sha256 of the
// Authorization header, or the user a signed link was made by.
func callerKey(authorization string) string {
	if authorization == "" {
		return "anon"
	}
	sum := sha256.Sum256([]byte(authorization))
	return "t:" + hex.EncodeToString(sum[:16])
}

func (c cachedAccess) Access(ctx context.Context, mediaID, authorization string) (Access, error) {
	return c.lookup(ctx, mediaID, callerKey(authorization), func() (Access, error) {
		return c.next.Access(ctx, mediaID, authorization)
	})
}

func (c cachedAccess) AccessFor(ctx context.Context, mediaID, userID string) (Access, error) {
	return c.lookup(ctx, mediaID, "u:"+userID, func() (Access, error) {
		return c.next.AccessFor(ctx, mediaID, userID)
	})
}

func (c cachedAccess) lookup(ctx context.Context, mediaID, caller string, ask func() (Access, error)) (Access, error) {
	got, ok, token := c.cache.Get(ctx, mediaID, caller)
	if ok {
		c.hit("hit")
		if !got.Found {
			return Access{}, errs.NotFoundf("no media item %s", mediaID)
		}
		return got.Access, nil
	}
	c.hit("miss")
	a, err := ask()
	switch {
	case err == nil:
		c.cache.Put(ctx, mediaID, caller, cachedAnswer{Found: true, Access: a}, token)
	case errs.KindOf(err) == errs.NotFound:
		c.cache.Put(ctx, mediaID, caller, cachedAnswer{}, token)
	}
	return a, err
}

// memoryAccessCache is the in-process cache (otter): right for one
// replica, or several when a stale answer for up to the TTL is acceptable.
type memoryAccessCache struct {
	entries *otter.Cache[accessKey, memoryAnswer]
	// epoch changes on ForgetAll, media[id] on ForgetMedia; an entry
	// stored under older ones is stale. generation changes on either.
	epoch      atomic.Uint64
	generation atomic.Uint64
	media      sync.Map // media ID → *atomic.Uint64
}

type accessKey struct{ media, caller string }

type memoryAnswer struct {
	answer       cachedAnswer
	epoch, media uint64
}

func newMemoryAccessCache(ttl time.Duration, size int) (*memoryAccessCache, error) {
	c, err := otter.New(&otter.Options[accessKey, memoryAnswer]{
		MaximumSize:      size,
		ExpiryCalculator: otter.ExpiryWriting[accessKey, memoryAnswer](ttl),
	})
	if err != nil {
		return nil, err
	}
	return &memoryAccessCache{entries: c}, nil
}

func (m *memoryAccessCache) mediaEpoch(id string) *atomic.Uint64 {
	if v, ok := m.media.Load(id); ok {
		return v.(*atomic.Uint64)
	}
	v, _ := m.media.LoadOrStore(id, new(atomic.Uint64))
	return v.(*atomic.Uint64)
}

func (m *memoryAccessCache) Get(_ context.Context, mediaID, caller string) (cachedAnswer, bool, uint64) {
	token := m.generation.Load()
	e, ok := m.entries.GetIfPresent(accessKey{mediaID, caller})
	if !ok || e.epoch != m.epoch.Load() || e.media != m.mediaEpoch(mediaID).Load() {
		return cachedAnswer{}, false, token
	}
	return e.answer, true, token
}

func (m *memoryAccessCache) Put(_ context.Context, mediaID, caller string, a cachedAnswer, token uint64) {
	e := memoryAnswer{answer: a, epoch: m.epoch.Load(), media: m.mediaEpoch(mediaID).Load()}
	if m.generation.Load() != token {
		return
	}
	m.entries.Set(accessKey{mediaID, caller}, e)
	// An invalidation between the check and the Set left a stale entry
	// under current epochs: drop it.
	if m.generation.Load() != token {
		m.entries.Invalidate(accessKey{mediaID, caller})
	}
}

func (m *memoryAccessCache) ForgetMedia(_ context.Context, mediaID string) error {
	m.generation.Add(1)
	m.mediaEpoch(mediaID).Add(1)
	return nil
}

func (m *memoryAccessCache) ForgetAll(context.Context) error {
	m.generation.Add(1)
	m.epoch.Add(1)
	m.entries.InvalidateAll()
	return nil
}

func (m *memoryAccessCache) Close() error {
	m.entries.StopAllGoroutines()
	return nil
}
