package engagement

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func TestCollections(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, bob := c.user(), c.user()
		a, b, d := c.publishedVideo(60), c.publishedVideo(60), c.publishedVideo(60)

		// Everyone has a saved collection; it is private and cannot go.
		saved := c.expect(200, "GET", "/v1/collections/saved", alice, nil)
		if saved.body["kind"] != "saved" || saved.body["visibility"] != "private" {
			t.Fatalf("saved = %s", saved.raw)
		}
		sid := saved.body["id"].(string)
		if again := c.expect(200, "GET", "/v1/collections/saved", alice, nil); again.body["id"] != sid {
			t.Fatalf("a second saved collection: %s", again.raw)
		}
		c.expect(http.StatusConflict, "DELETE", "/v1/collections/"+sid, alice, nil)
		c.expect(http.StatusUnprocessableEntity, "PATCH", "/v1/collections/saved", alice, map[string]any{"name": "Mine"})
		c.expect(http.StatusNotFound, "GET", "/v1/collections/"+sid, bob, nil)

		pl := c.expect(http.StatusCreated, "POST", "/v1/collections", alice, map[string]any{"name": "Road trip", "visibility": "public"})
		pid := pl.body["id"].(string)
		c.expect(http.StatusUnprocessableEntity, "POST", "/v1/collections", alice, map[string]any{"name": ""})
		for _, m := range []string{a, b, d} {
			if r := c.expect(200, "POST", "/v1/collections/"+pid+"/items", alice, map[string]any{"media_id": m}); r.body["added"] != true {
				t.Fatalf("add: %s", r.raw)
			}
		}
		if r := c.expect(200, "POST", "/v1/collections/"+pid+"/items", alice, map[string]any{"media_id": a}); r.body["added"] != false {
			t.Fatalf("add twice: %s", r.raw)
		}
		c.expect(http.StatusNotFound, "POST", "/v1/collections/"+pid+"/items", alice, map[string]any{"media_id": uuid.NewString()})
		c.expect(http.StatusForbidden, "POST", "/v1/collections/"+pid+"/items", bob, map[string]any{"media_id": a})
		c.expect(http.StatusNoContent, "PUT", "/v1/collections/"+pid+"/items", alice, map[string]any{"media_ids": []string{d, a, b}})
		r := c.expect(http.StatusUnprocessableEntity, "PUT", "/v1/collections/"+pid+"/items", alice, map[string]any{"media_ids": []string{d, a}})
		if !fieldError(r, "media_ids") {
			t.Fatalf("partial reorder: %s", r.raw)
		}
		order := func(user string) string {
			var ids []string
			for _, it := range c.expect(200, "GET", "/v1/collections/"+pid+"/items", user, nil).items() {
				ids = append(ids, it["media_id"].(string))
			}
			return fmt.Sprint(ids)
		}
		if got := order(bob); got != fmt.Sprint([]string{d, a, b}) { // public: bob may read
			t.Fatalf("order = %s", got)
		}
		c.expect(http.StatusNoContent, "DELETE", "/v1/collections/"+pid+"/items/"+a, alice, nil)
		if got := order(""); got != fmt.Sprint([]string{d, b}) {
			t.Fatalf("after removal = %s", got)
		}
		c.expect(200, "PATCH", "/v1/collections/"+pid, alice, map[string]any{"visibility": "private"})
		c.expect(http.StatusNotFound, "GET", "/v1/collections/"+pid+"/items", bob, nil)

		mine := c.expect(200, "GET", "/v1/collections", alice, nil).items()
		if len(mine) != 2 || mine[0]["kind"] != "saved" || mine[1]["item_count"] != float64(2) {
			t.Fatalf("alice's collections = %v", mine)
		}
		if theirs := c.expect(200, "GET", "/v1/collections?owner_id="+alice, bob, nil).items(); len(theirs) != 0 {
			t.Fatalf("bob sees alice's private collections: %v", theirs)
		}
		c.expect(http.StatusNoContent, "DELETE", "/v1/collections/"+pid, alice, nil)
		c.expect(http.StatusNotFound, "GET", "/v1/collections/"+pid, alice, nil)
	})
}

// fakeOwners stands in for catalog's and identity's APIs: it records the
// calls made with which bearer.
type fakeOwners struct {
	mu    sync.Mutex
	calls []string
	users map[string]bool
	staff map[string]bool // identity refuses a moderator's suspension of these
	sent  map[string]string
}

func (f *fakeOwners) handler(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		if f.sent == nil {
			f.sent = map[string]string{}
		}
		f.sent[r.Method+" "+r.URL.Path] = string(b)
	}
	if strings.HasSuffix(r.URL.Path, "/suspension") && f.staff[r.PathValue("id")] {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if r.Method == http.MethodGet {
		if !f.users[r.PathValue("id")] {
			w.WriteHeader(http.StatusNotFound)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (f *fakeOwners) sentTo(call string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sent[call]
}

func (f *fakeOwners) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func TestReports(t *testing.T) {
	t.Parallel()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			h := moduletest.NewHarness(t, s)
			fake := &fakeOwners{users: map[string]bool{}, staff: map[string]bool{}}
			mux := http.NewServeMux()
			mux.HandleFunc("/v1/users/{id}", fake.handler)
			mux.HandleFunc("/v1/users/{id}/suspension", fake.handler)
			mux.HandleFunc("/v1/media/{id}", fake.handler)
			mux.HandleFunc("/v1/authors/{id}", fake.handler)
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			h.Deps.IdentityURL = srv.URL
			cfg := DefaultConfig()
			cfg.ViewFlushInterval = 20 * time.Millisecond
			svc, err := New(context.Background(), cfg, h.Deps)
			if err != nil {
				t.Fatal(err)
			}
			h.Start(t, svc)
			c := &api{t: t, h: h, svc: svc, tokens: map[string]string{}}
			alice := c.user()
			mod := uuid.NewString()
			c.tokens[mod] = h.Issuer.Token(mod, "reader", "moderator")
			spammer := uuid.NewString()
			fake.users[spammer] = true
			otherMod := uuid.NewString()
			fake.users[otherMod], fake.staff[otherMod] = true, true
			mid := c.publishedVideo(60)

			c.expect(http.StatusNotFound, "POST", "/v1/reports", alice, map[string]any{"target_type": "media", "target_id": uuid.NewString(), "reason": "spam"})
			c.expect(http.StatusNotFound, "POST", "/v1/reports", alice, map[string]any{"target_type": "author", "target_id": uuid.NewString(), "reason": "spam"})
			c.expect(http.StatusNotFound, "POST", "/v1/reports", alice, map[string]any{"target_type": "user", "target_id": uuid.NewString(), "reason": "spam"})
			c.expect(http.StatusUnprocessableEntity, "POST", "/v1/reports", alice, map[string]any{"target_type": "planet", "target_id": mid, "reason": "spam"})
			rm := c.expect(http.StatusCreated, "POST", "/v1/reports", alice, map[string]any{"target_type": "media", "target_id": mid, "reason": "copyright", "note": "my book"})
			ru := c.expect(http.StatusCreated, "POST", "/v1/reports", alice, map[string]any{"target_type": "user", "target_id": spammer, "reason": "spam"})
			rd := c.expect(http.StatusCreated, "POST", "/v1/reports", alice, map[string]any{"target_type": "media", "target_id": mid, "reason": "other"})

			c.expect(http.StatusForbidden, "GET", "/v1/admin/reports?state=open", alice, nil)
			if open := c.expect(200, "GET", "/v1/admin/reports?state=open", mod, nil).items(); len(open) != 3 {
				t.Fatalf("open reports = %v", open)
			}
			resolve := "/v1/admin/reports/" + rm.body["id"].(string) + "/resolve"
			c.expect(http.StatusForbidden, "POST", resolve, alice, map[string]any{"action": "remove"})
			c.expect(http.StatusUnprocessableEntity, "POST", resolve, mod, map[string]any{"action": "suspend"})
			done := c.expect(200, "POST", resolve, mod, map[string]any{"action": "remove", "note": "confirmed"})
			if done.body["state"] != "resolved" || done.body["action"] != "remove" || done.body["resolved_by"] != mod {
				t.Fatalf("resolved = %s", done.raw)
			}
			c.expect(http.StatusConflict, "POST", resolve, mod, map[string]any{"action": "dismiss"})
			c.expect(200, "POST", "/v1/admin/reports/"+ru.body["id"].(string)+"/resolve", mod, map[string]any{"action": "suspend"})
			if got := fake.sentTo("POST /v1/users/" + spammer + "/suspension"); !strings.Contains(got, ru.body["id"].(string)) || !strings.Contains(got, "spam") {
				t.Fatalf("suspension body = %q, want the report and its reason", got)
			}
			// Identity refuses a moderator's suspension of staff: the report stays open.
			rs := c.expect(http.StatusCreated, "POST", "/v1/reports", alice, map[string]any{"target_type": "user", "target_id": otherMod, "reason": "spam"})
			c.expect(http.StatusForbidden, "POST", "/v1/admin/reports/"+rs.body["id"].(string)+"/resolve", mod, map[string]any{"action": "suspend"})
			c.expect(200, "POST", "/v1/admin/reports/"+rs.body["id"].(string)+"/resolve", mod, map[string]any{"action": "dismiss"})
			c.expect(200, "POST", "/v1/admin/reports/"+rd.body["id"].(string)+"/resolve", mod, map[string]any{"action": "dismiss"})

			want := map[string]bool{
				"DELETE /v1/media/" + mid + " Bearer " + c.tokens[mod]:              true,
				"POST /v1/users/" + spammer + "/suspension Bearer " + c.tokens[mod]: true,
			}
			for _, call := range fake.called() {
				delete(want, call)
			}
			if len(want) != 0 {
				t.Fatalf("owning services not called with the moderator's token: missing %v in %v", want, fake.called())
			}
			if open := c.expect(200, "GET", "/v1/admin/reports?state=open", mod, nil).items(); len(open) != 0 {
				t.Fatalf("still open = %v", open)
			}
			if resolved := c.expect(200, "GET", "/v1/admin/reports?state=resolved", mod, nil).items(); len(resolved) != 4 {
				t.Fatalf("resolved = %v", resolved)
			}
		})
	}
}
