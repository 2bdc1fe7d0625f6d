package feeds

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// harness is a feeds service behind a real HTTP server, fed with catalog
// payloads the test writes.
type harness struct {
	t   testing.TB
	s   *Service
	h   *moduletest.Harness
	url string
}

func newHarness(t testing.TB, st moduletest.Store, mutate ...func(*Config)) *harness {
	t.Helper()
	h := moduletest.NewHarness(t, st)
	cfg := DefaultConfig()
	for _, m := range mutate {
		m(&cfg)
	}
	s, err := New(context.Background(), cfg, h.Deps)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, s)
	return &harness{t: t, s: s, h: h, url: h.Server.URL}
}

// apply handles one catalog event as the pipeline would: in a transaction,
// then the after-commit work.
func (x *harness) apply(typ string, payload any) {
	x.t.Helper()
	data, err := json.Marshal(payload)
	if err != nil {
		x.t.Fatal(err)
	}
	h := x.s.handlers()[typ]
	if typ == eventIdentityUserDeleted {
		h = x.s.onUserDeleted()
	}
	if h == nil {
		x.t.Fatalf("no handler for %s", typ)
	}
	e := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, Source: "/alexandria/catalog", Data: data}
	err = x.s.db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error { return h(ctx, tx, e) })
	if err != nil {
		x.t.Fatalf("%s: %v", typ, err)
	}
	// Outside the pipeline, AfterCommit ran its work at once, before the
	// commit; run it again after the commit as the pipeline does.
	x.s.app.cache.invalidate()
	x.s.wakeHasher()
}

// get fetches path with optional header pairs.
func (x *harness) get(path string, header ...string) (*http.Response, string) {
	x.t.Helper()
	req, err := http.NewRequest(http.MethodGet, x.url+path, nil)
	if err != nil {
		x.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		x.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		x.t.Fatal(err)
	}
	return res, string(b)
}

func (x *harness) mustGet(path string, header ...string) (*http.Response, string) {
	x.t.Helper()
	res, body := x.get(path, header...)
	if res.StatusCode != http.StatusOK {
		x.t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	return res, body
}

// Catalog payloads, as catalog's events carry them.

var t0 = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

func authorPayload(id, name string, version int64) map[string]any {
	return map[string]any{"id": id, "name": name, "bio": "Writes and talks.", "status": "active", "avatar": "https://img.example/a.png",
		"links":      []map[string]string{{"title": "Website", "url": "https://a.example"}, {"title": "Donate", "url": "https://donate.example/a"}},
		"members":    []any{},
		"created_at": t0, "updated_at": t0.Add(time.Duration(version) * time.Minute), "version": version}
}

func categoryPayload(id, name, slug string, version int64) map[string]any {
	return map[string]any{"id": id, "name": name, "slug": slug, "description": name + " things", "parent_id": nil,
		"status": "active", "created_at": t0, "updated_at": t0, "version": version}
}

type mediaOpt func(map[string]any)

func mediaPayload(id, kind, title string, authorID string, version int64, opts ...mediaOpt) map[string]any {
	pub := t0.Add(time.Hour)
	m := map[string]any{"id": id, "title": title, "description": "About " + title, "kind": kind, "language": "en",
		"author_ids": []string{authorID}, "category_ids": []string{}, "tags": []string{"science"}, "license": "CC-BY-4.0",
		"published_at": pub, "status": "published", "created_at": t0, "updated_at": t0.Add(time.Duration(version) * time.Minute),
		"version": version}
	switch kind {
	case "podcast":
		m["content"] = map[string]any{"size": 123456, "sha256": strings.Repeat("ab", 32), "content_type": "audio/mpeg", "duration_seconds": 1800.4}
		m["derivatives"] = []map[string]any{{"kind": "waveform", "name": "waveform.json", "url": "/x", "content_type": "application/json", "size": 10}}
	case "video":
		m["content"] = map[string]any{"size": 999999, "sha256": strings.Repeat("cd", 32), "content_type": "video/mp4", "duration_seconds": 60.0,
			"width": 1280, "height": 720}
		m["derivatives"] = []map[string]any{{"kind": "thumbnail", "name": "thumbnail.jpg", "url": "/x", "content_type": "image/jpeg", "size": 10}}
	default:
		m["content"] = map[string]any{"size": 5000, "sha256": strings.Repeat("ef", 32), "content_type": "application/epub+zip", "pages": 12}
		m["derivatives"] = []map[string]any{{"kind": "cover", "name": "cover.jpg", "url": "/x", "content_type": "image/jpeg", "size": 10}}
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

func withStatus(s string) mediaOpt { return func(m map[string]any) { m["status"] = s } }
func withCategories(ids ...string) mediaOpt {
	return func(m map[string]any) { m["category_ids"] = ids }
}
func withPublished(t time.Time) mediaOpt { return func(m map[string]any) { m["published_at"] = t } }
func withDerivatives(ds ...map[string]any) mediaOpt {
	return func(m map[string]any) { m["derivatives"] = ds }
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func timeHours(n int) time.Duration { return time.Duration(n) * time.Hour }
