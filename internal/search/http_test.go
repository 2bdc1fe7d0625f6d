package search

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// The component test: the service behind the production middleware, fed
// by events on the bus, its text served by a fake storage.

type env struct {
	t   *testing.T
	h   *moduletest.Harness
	svc *Service
}

func newEnv(t *testing.T, s moduletest.Store) *env {
	t.Helper()
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/derivatives/text.txt") {
			_, _ = io.WriteString(w, "First page about nothing.\fThe second page mentions a zeppelin.\f")
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(storage.Close)
	h := moduletest.NewHarness(t, s)
	cfg := DefaultConfig()
	cfg.StorageURL, cfg.TextPoll = storage.URL, 50*time.Millisecond
	svc, err := New(context.Background(), cfg, h.Deps)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, svc)
	return &env{t: t, h: h, svc: svc}
}

func (e *env) publish(service, typ, key string, payload any) {
	e.t.Helper()
	data, _ := json.Marshal(payload)
	ev := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, Source: "/alexandria/" + service,
		Subject: "x/" + key, Key: key, Time: time.Now().UTC(), Data: data}
	if err := e.h.Deps.Bus.Publisher().Publish(bus.Topic(service), ev.Message()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) get(path string, token string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.h.Server.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// eventually polls until cond holds (events are asynchronous).
func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) total(q string) int {
	code, body := e.get("/v1/search?q="+url.QueryEscape(q), "")
	if code != http.StatusOK {
		e.t.Fatalf("search %q: %d %v", q, code, body)
	}
	return int(body["total"].(float64))
}

func TestHTTPSearchFromEvents(t *testing.T) {
	t.Parallel()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, s)
			author, user, mediaID := newID(), newID(), newID()
			e.publish("catalog", eventAuthorCreated, author, map[string]any{"id": author, "name": "Nikola Tesla", "status": "active", "version": 1})
			e.publish("catalog", eventMemberAdded, author, map[string]any{"author_id": author, "user_id": user, "role": "owner"})
			item := map[string]any{"id": mediaID, "title": "Airships", "description": "", "kind": "document", "language": "en",
				"author_ids": []string{author}, "category_ids": []string{}, "tags": []string{"flight"}, "license": "",
				"published_at": nil, "status": "draft", "created_at": time.Now(), "updated_at": time.Now(), "version": 1}
			e.publish("catalog", eventMediaCreated, mediaID, item)
			token := e.h.Issuer.Token(user)
			e.eventually("draft found with scope=mine", func() bool {
				_, body := e.get("/v1/search?scope=mine&q=airships", token)
				return body["total"] == 1.0
			})
			if n := e.total("airships"); n != 0 {
				t.Fatalf("draft public: %d", n)
			}
			if code, _ := e.get("/v1/search?scope=mine&q=airships", ""); code != http.StatusUnauthorized {
				t.Errorf("scope=mine anonymous: %d", code)
			}
			item["status"], item["version"], item["published_at"] = "published", 2, time.Now()
			item["content"] = map[string]any{"size": 10, "sha256": "ab", "content_type": "application/pdf", "pages": 2}
			item["derivatives"] = []map[string]any{{"kind": "text", "name": "text.txt", "url": "", "content_type": "text/plain", "size": 10}}
			e.publish("catalog", eventMediaPublished, mediaID, item)
			e.eventually("text searchable", func() bool { return e.total("zeppelin") == 1 })
			code, body := e.get("/v1/media/"+mediaID+"/search?q=zeppelin", "")
			items, _ := body["items"].([]any)
			if code != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["page"] != 2.0 {
				t.Errorf("search inside: %d %v", code, body)
			}
			code, body = e.get("/v1/search/suggest?q=air", "")
			if items, _ := body["items"].([]any); code != http.StatusOK || len(items) != 1 {
				t.Errorf("suggest: %d %v", code, body)
			}
			e.publish("catalog", eventAuthorRemoved, author, map[string]any{"id": author, "name": "Nikola Tesla", "status": "removed", "version": 2})
			e.eventually("gone with its author", func() bool { return e.total("airships") == 0 })
		})
	}
}

func TestHTTPHostileInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0])
	cases := map[string]int{
		"/v1/search?q=" + url.QueryEscape(strings.Repeat("a", 600)): 400,
		"/v1/search?q=%00":    400,
		"/v1/search?q=%ff%fe": 400,
		"/v1/search?q=" + url.QueryEscape(`NEAR(a b) "x * ^ : {title}`):     200,
		"/v1/search?q=" + url.QueryEscape(`'; DROP TABLE search_media; --`): 200,
		"/v1/search?page_size=1000000000":                                   200,
		"/v1/search?page_size=-3":                                           400,
		"/v1/search?page_size=abc":                                          400,
		"/v1/search?page_token=forged":                                      400,
		"/v1/search?page_token=" + strings.Repeat("A", 5000):                400,
		"/v1/search?kind=spaceship":                                         400,
		"/v1/search?sort=random":                                            400,
		"/v1/search?category_id=not-a-uuid":                                 400,
		"/v1/search?published_after=yesterday":                              400,
		"/v1/search?duration_min=NaN":                                       400,
		"/v1/search?scope=everything":                                       400,
		"/v1/search/suggest?q=%00":                                          400,
		"/v1/search/suggest?q=" + url.QueryEscape(`" OR 1=1 --`):            200,
		"/v1/media/not-a-uuid/search?q=x":                                   404,
		"/v1/media/" + newID() + "/search?q=x":                              404,
		"/v1/media/" + newID() + "/search?q=%00":                            400,
	}
	for path, want := range cases {
		code, body := e.get(path, "")
		if code != want {
			t.Errorf("%s: %d, want %d (%v)", path, code, want, body)
		}
		if code == 400 && body["type"] != "urn:alexandria:problem:bad-request" {
			t.Errorf("%s: problem %v", path, body)
		}
	}
}
