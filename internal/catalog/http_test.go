package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// Component tests: the catalog behind the production middleware, over HTTP,
// on SQLite and PostgreSQL, with a fake user directory.

// fakeDirectory knows a fixed set of users.
type fakeDirectory struct {
	mu    sync.Mutex
	users map[string]bool
}

func (d *fakeDirectory) Exists(_ context.Context, id string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.users[id], nil
}

func (d *fakeDirectory) add(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[id] = true
}

// api is a test client for one running catalog.
type api struct {
	t      *testing.T
	h      *moduletest.Harness
	svc    *Service
	dir    *fakeDirectory
	tokens map[string]string
}

func startCatalog(t *testing.T, s moduletest.Store) *api {
	t.Helper()
	return startCatalogWith(t, s, nil)
}

// startCatalogWith is startCatalog with the harness's Deps adjusted by deps
// first.
func startCatalogWith(t *testing.T, s moduletest.Store, deps func(*module.Deps)) *api {
	t.Helper()
	return startCatalogAt(t, s, deps, time.Now)
}

// startCatalogAt is startCatalogWith with the catalog's clock given.
func startCatalogAt(t *testing.T, s moduletest.Store, deps func(*module.Deps), clock func() time.Time) *api {
	t.Helper()
	h := moduletest.NewHarness(t, s)
	if deps != nil {
		deps(&h.Deps)
	}
	dir := &fakeDirectory{users: map[string]bool{}}
	svc, err := newService(context.Background(), DefaultConfig(), h.Deps, dir, clock)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, svc)
	if err := svc.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &api{t: t, h: h, svc: svc, dir: dir, tokens: map[string]string{}}
}

// user mints a token for a new user with roles and registers it in identity.
func (c *api) user(roles ...string) string {
	id := uuid.NewString()
	c.tokens[id] = c.h.Issuer.Token(id, roles...)
	c.dir.add(id)
	return id
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r reply) str(key string) string { s, _ := r.body[key].(string); return s }

func (r reply) items() []map[string]any {
	list, _ := r.body["items"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		out = append(out, it.(map[string]any))
	}
	return out
}

// call sends a request as user ("" for anonymous); body may be a string
// (sent as is) or a value (sent as JSON); headers come in name, value pairs.
func (c *api) call(method, path, user string, body any, headers ...string) reply {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.h.Server.URL+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

// expect checks the status and returns the reply.
func (c *api) expect(status int, method, path, user string, body any, headers ...string) reply {
	c.t.Helper()
	r := c.call(method, path, user, body, headers...)
	if r.status != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.raw)
	}
	return r
}

func forEachServer(t *testing.T, fn func(t *testing.T, c *api)) {
	t.Helper()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, startCatalog(t, s))
		})
	}
}

// fieldError reports whether a problem names the field.
func fieldError(r reply, field string) bool {
	list, _ := r.body["errors"].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && m["field"] == field {
			return true
		}
	}
	return false
}

var readerRole, authorRole, moderatorRole, adminRole = auth.RoleReader, auth.RoleAuthor, auth.RoleModerator, auth.RoleAdmin
