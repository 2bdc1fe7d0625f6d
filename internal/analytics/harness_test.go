package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// Component tests: analytics behind the production middleware, over HTTP,
// on SQLite and PostgreSQL, fed catalog's and engagement's events through
// the bus as those services publish them, with a clock the test moves.

type api struct {
	t      *testing.T
	h      *moduletest.Harness
	svc    *Service
	tokens map[string]string
	clock  *testClock
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

var testSources = Sources{
	"catalog":    {eventMediaCreated, eventMediaPublished, eventMediaRemoved, eventMemberAdded, "catalog.category.created.v1"},
	"engagement": {eventViewRecorded, eventLikeCreated, eventLikeDeleted, eventProgressUpdated, eventFollowCreated, "engagement.report.created.v1"},
}

func startAnalytics(t *testing.T, s moduletest.Store, now time.Time, tune func(*Config)) *api {
	t.Helper()
	h := moduletest.NewHarness(t, s)
	cfg := DefaultConfig()
	cfg.LakeFlushInterval = time.Hour // tests flush by hand
	if tune != nil {
		tune(&cfg)
	}
	clock := &testClock{now: now}
	svc, err := newService(context.Background(), cfg, h.Deps, testSources, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, svc)
	return &api{t: t, h: h, svc: svc, tokens: map[string]string{}, clock: clock}
}

func forEachServer(t *testing.T, now time.Time, tune func(*Config), fn func(t *testing.T, c *api)) {
	t.Helper()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, startAnalytics(t, s, now, tune))
		})
	}
}

func (c *api) user() string {
	id := uuid.NewString()
	c.tokens[id] = c.h.Issuer.Token(id, "reader")
	return id
}

type reply struct {
	status int
	body   map[string]any
	raw    string
}

func (r reply) items() []map[string]any {
	list, _ := r.body["items"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		out = append(out, it.(map[string]any))
	}
	return out
}

func (c *api) call(path, user string) reply {
	c.t.Helper()
	return c.do(http.MethodGet, path, user)
}

func (c *api) do(method, path, user string) reply {
	c.t.Helper()
	req, err := http.NewRequest(method, c.h.Server.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := reply{status: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func (c *api) expect(status int, path, user string) reply {
	c.t.Helper()
	r := c.call(path, user)
	if r.status != status {
		c.t.Fatalf("GET %s: status %d, want %d: %s", path, r.status, status, r.raw)
	}
	return r
}

// eventually polls cond until it holds or 60 s pass (the machine may be busy).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// publish sends an event on a service's topic as that service would,
// recorded at at.
func (c *api) publish(service, typ, subject, key string, at time.Time, data map[string]any) string {
	c.t.Helper()
	b, _ := json.Marshal(data)
	e := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, Source: "/alexandria/" + service, Subject: subject,
		Key: key, Time: at.UTC(), Data: b}
	if err := c.h.Deps.Bus.Publisher().Publish(bus.Topic(service), e.Message()); err != nil {
		c.t.Fatal(err)
	}
	return e.ID
}

type item struct {
	ID, Kind, Language, Status string
	Authors, Cats              []string
}

func (c *api) media(typ string, m item, version int64) {
	c.t.Helper()
	c.publish("catalog", typ, "media/"+m.ID, m.ID, c.clock.Now(), map[string]any{"id": m.ID, "kind": m.Kind,
		"language": m.Language, "status": m.Status, "author_ids": m.Authors, "category_ids": m.Cats, "version": version,
		"title": "T", "tags": []string{}})
}

// staged counts the events consumed and not yet written to the lake, plus
// those written: every handled event is in one or the other.
func (c *api) handled() int {
	c.t.Helper()
	var n []int
	if err := c.svc.db.NewRaw("SELECT COUNT(*) FROM analytics_lake_pending").Scan(context.Background(), &n); err != nil {
		c.t.Fatal(err)
	}
	var w []int
	if err := c.svc.db.NewRaw("SELECT COALESCE(SUM(row_count), 0) FROM analytics_lake_files WHERE state = 'done'").Scan(context.Background(), &w); err != nil {
		c.t.Fatal(err)
	}
	return n[0] + w[0]
}

func (c *api) waitHandled(n int) {
	c.t.Helper()
	eventually(c.t, fmt.Sprintf("%d events handled", n), func() bool { return c.handled() >= n })
}
