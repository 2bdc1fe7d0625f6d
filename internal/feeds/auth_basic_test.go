package feeds

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// fakeIdentity exchanges API tokens as identity does: each known token
// belongs to a user with an e-mail and carries scopes.
type fakeIdentity struct {
	*httptest.Server
	exchanges atomic.Int32
}

func newFakeIdentity(t *testing.T, h *moduletest.Harness, tokens map[string]struct {
	user, email string
	scopes      []string
}) *fakeIdentity {
	f := &fakeIdentity{}
	emails := map[string]string{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v1/auth/token":
			f.exchanges.Add(1)
			var in struct {
				APIToken string `json:"api_token"`
			}
			_ = json.NewDecoder(r.Body).Decode(&in)
			tok, ok := tokens[in.APIToken]
			if !ok {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"status":401}`))
				return
			}
			access := h.Issuer.TokenWithScopes(tok.user, tok.scopes)
			emails[access] = tok.email
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": access, "token_type": "Bearer"})
		case r.Method == http.MethodGet && r.URL.Path == "/v1/users/me":
			email := emails[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
			_ = json.NewEncoder(w).Encode(map[string]any{"email": email})
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func TestBasicAuthWithAPIToken(t *testing.T) {
	st := moduletest.Stores(t)[0]
	h := moduletest.NewHarness(t, st)
	idp := newFakeIdentity(t, h, map[string]struct {
		user, email string
		scopes      []string
	}{
		"alx_good":  {newID(), "reader@example.com", []string{"feeds:read"}},
		"alx_other": {newID(), "reader@example.com", []string{"read", "write"}},
	})
	h.Deps.IdentityURL = idp.URL
	cfg := DefaultConfig()
	cfg.RequireAuth = true
	s, err := New(t.Context(), cfg, h.Deps)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, s)
	x := &harness{t: t, s: s, h: h, url: h.Server.URL}
	basic := func(user, pass string) string {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.SetBasicAuth(user, pass)
		return r.Header.Get("Authorization")
	}
	res, _ := x.get("/opds/v1.2/catalog")
	if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("anonymous: %d %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
	}
	for _, c := range []struct {
		user, pass string
		want       int
	}{
		{"reader@example.com", "alx_good", http.StatusOK},
		{"READER@example.com", "alx_good", http.StatusOK},
		{"someone@example.com", "alx_good", http.StatusUnauthorized},
		{"reader@example.com", "alx_wrong", http.StatusUnauthorized},
		{"reader@example.com", "alx_other", http.StatusForbidden},
	} {
		res, body := x.get("/opds/v2/catalog", "Authorization", basic(c.user, c.pass))
		if res.StatusCode != c.want {
			t.Errorf("%s / %s: %d %s, want %d", c.user, c.pass, res.StatusCode, body, c.want)
		}
	}
	// Verified credentials are remembered briefly: identity is not asked again.
	n := idp.exchanges.Load()
	if r, _ := x.get("/feeds/atom.xml", "Authorization", basic("reader@example.com", "alx_good")); r.StatusCode != http.StatusOK {
		t.Fatalf("feed with credentials: %d", r.StatusCode)
	}
	if idp.exchanges.Load() != n {
		t.Fatal("identity asked again within the cache time")
	}
}
