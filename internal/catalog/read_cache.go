package catalog

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/maypok86/otter/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// The read cache keeps the rendered answers of GET /v1/media/{id} and
// GET /v1/media (a list page, by its query string) as an anonymous caller
// gets them, so that a hit costs neither the store's queries nor huma's
// decoding and encoding. Only anonymous requests (no Authorization header
// at all) read or fill it: what a member or a moderator sees (drafts,
// removed items) never enters it, and a signed-in caller is always served
// from the store.
//
// It is kept true by the catalog's own changes:
//   - synchronously on this replica: every change recorded through the store
//     drops what it may affect once its transaction has committed (Store.Tx
//     and, in consumers, events.AfterCommit), so a write's author reads their
//     change back at once;
//   - on the other replicas, by consuming the catalog's events
//     (consume_reads.go): the replica that receives an event drops the same;
//   - a replica that does not receive an event (the bus delivers each to one
//     replica of a group) serves a dropped answer for at most the TTL
//     (catalog.read_cache_ttl).
//
// A media item's change drops that item and every list page; an author's or
// a category's change drops everything (they decide which items are visible
// and which lists they appear in).
//
// Filling races with invalidation: an answer read from the store before a
// commit must not be stored after the commit's invalidation. Get hands out
// the generation, which every invalidation raises, and put stores only under
// the generation of its get (the access cache of storage does the same).
type readCache struct {
	entries *otter.Cache[string, cachedRead]
	// generation changes on every invalidation; lists changes when the list
	// pages are dropped (an entry stored under an older one is stale).
	generation atomic.Uint64
	lists      atomic.Uint64
	// hits counts answers served from the cache (tests, metrics).
	hits, misses atomic.Uint64
}

// cachedRead is one rendered answer.
type cachedRead struct {
	etag, contentType string
	body              []byte
	lists             uint64 // the lists epoch a list page was stored under
}

// newReadCache returns a cache of size answers kept at most ttl, or nil
// (no cache) when ttl or size is 0.
func newReadCache(ttl time.Duration, size int) (*readCache, error) {
	if ttl <= 0 || size <= 0 {
		return nil, nil
	}
	c, err := otter.New(&otter.Options[string, cachedRead]{
		MaximumSize:      size,
		ExpiryCalculator: otter.ExpiryWriting[string, cachedRead](ttl),
	})
	if err != nil {
		return nil, err
	}
	return &readCache{entries: c}, nil
}

func mediaReadKey(id string) string      { return "m:" + id }
func listReadKey(rawQuery string) string { return "l:" + rawQuery }

func (c *readCache) get(key string) (cachedRead, bool, uint64) {
	token := c.generation.Load()
	e, ok := c.entries.GetIfPresent(key)
	if !ok || (strings.HasPrefix(key, "l:") && e.lists != c.lists.Load()) {
		c.misses.Add(1)
		return cachedRead{}, false, token
	}
	c.hits.Add(1)
	return e, true, token
}

func (c *readCache) put(key string, e cachedRead, token uint64) {
	e.lists = c.lists.Load()
	if c.generation.Load() != token {
		return
	}
	c.entries.Set(key, e)
	// An invalidation between the check and the Set left a stale entry
	// under the current generation: drop it.
	if c.generation.Load() != token {
		c.entries.Invalidate(key)
	}
}

// forgetMedia drops one item and every list page.
func (c *readCache) forgetMedia(id string) {
	c.lists.Add(1)
	c.generation.Add(1)
	c.entries.Invalidate(mediaReadKey(id))
}

// forgetAll drops every answer.
func (c *readCache) forgetAll() {
	c.lists.Add(1)
	c.generation.Add(1)
	c.entries.InvalidateAll()
}

// forgetSubject drops what a change of subject ("media/<id>",
// "author/<id>", "category/<id>") may affect.
func (c *readCache) forgetSubject(subject string) {
	if c == nil {
		return
	}
	if id, ok := strings.CutPrefix(subject, "media/"); ok {
		c.forgetMedia(id)
		return
	}
	c.forgetAll()
}

func (c *readCache) close() {
	if c != nil {
		c.entries.StopAllGoroutines()
	}
}

// cachedReads is the operation middleware of the cached reads; key names
// the answer from the request. Every caller gets 304 Not Modified when
// If-None-Match names the answer's ETag; anonymous callers are served from
// and fill the cache.
func (c *readCache) cachedReads(key func(huma.Context) string) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if ctx.Method() != http.MethodGet {
			next(ctx)
			return
		}
		_, signedIn := auth.FromContext(ctx.Context())
		anonymous := c != nil && !signedIn && ctx.Header("Authorization") == ""
		var k string
		var token uint64
		if anonymous {
			k = key(ctx)
			e, ok, t := c.get(k)
			if ok {
				if e.etag != "" {
					ctx.SetHeader("ETag", e.etag)
				}
				if e.etag != "" && etagMatches(ctx.Header("If-None-Match"), e.etag) {
					ctx.SetStatus(http.StatusNotModified)
					return
				}
				ctx.SetHeader("Content-Type", e.contentType)
				ctx.SetHeader("Content-Length", strconv.Itoa(len(e.body)))
				ctx.SetStatus(http.StatusOK)
				_, _ = ctx.BodyWriter().Write(e.body)
				return
			}
			token = t
		}
		rec := &recordingContext{humaContext: ctx}
		next(rec)
		status := rec.Status()
		if status == http.StatusOK && rec.etag != "" && etagMatches(ctx.Header("If-None-Match"), rec.etag) {
			ctx.SetStatus(http.StatusNotModified)
			return
		}
		ctx.SetStatus(status)
		_, _ = ctx.BodyWriter().Write(rec.body.Bytes())
		if anonymous && status == http.StatusOK {
			c.put(k, cachedRead{etag: rec.etag, contentType: rec.contentType, body: bytes.Clone(rec.body.Bytes())}, token)
		}
	}
}

// humaContext names the embedded huma.Context (whose Context method a field
// named Context would hide).
type humaContext = huma.Context

// recordingContext holds back a response's status and body (headers go
// through), so that the middleware can answer 304 instead and keep the body.
type recordingContext struct {
	humaContext
	status            int
	etag, contentType string
	body              bytes.Buffer
}

func (r *recordingContext) SetStatus(code int) { r.status = code }

func (r *recordingContext) Status() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

func (r *recordingContext) SetHeader(name, value string) {
	switch http.CanonicalHeaderKey(name) {
	case "Etag":
		r.etag = value
	case "Content-Type":
		r.contentType = value
	case "Content-Length":
		// The body is written in one piece after; net/http sets its length.
		return
	}
	r.humaContext.SetHeader(name, value)
}

func (r *recordingContext) BodyWriter() io.Writer { return &r.body }

// etagMatches applies If-None-Match's weak comparison: "*" or any listed
// tag equal to etag, W/ prefixes aside.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}
