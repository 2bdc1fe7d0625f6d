package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/auth/authtest"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

func TestVerifyAcceptsOwnTokensOnly(t *testing.T) {
	t.Parallel()
	issuer := authtest.NewIssuer(t)
	stranger := authtest.NewIssuer(t)
	v := issuer.Verifier()
	ctx := context.Background()

	p, err := v.Verify(ctx, issuer.Token("user-1", auth.RoleAuthor))
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != "user-1" || !p.Has(auth.RoleAuthor) || p.Has(auth.RoleModerator) || !p.Can(auth.ScopeWrite) {
		t.Fatalf("principal %+v", p)
	}
	for name, tok := range map[string]string{
		"foreign_key": stranger.Token("user-1"),
		"garbage":     "a.b.c",
		"empty":       "",
	} {
		if _, err := v.Verify(ctx, tok); errs.KindOf(err) != errs.Unauthenticated {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestAdminHoldsEveryRoleButNeedsAdminScope(t *testing.T) {
	t.Parallel()
	p := auth.Principal{Roles: []string{auth.RoleAdmin}, Scopes: []string{auth.ScopeRead, auth.ScopeWrite}}
	if !p.Has(auth.RoleModerator) || !p.Has(auth.RoleAuthor) {
		t.Fatal("admin should hold every role")
	}
	if p.IsAdmin() {
		t.Fatal("a token without the admin scope must not act as admin")
	}
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	issuer := authtest.NewIssuer(t)
	var seen auth.Principal
	h := auth.Middleware(issuer.Verifier())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = auth.FromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	}))
	cases := []struct {
		name, method, header string
		status               int
	}{
		{"anonymous_passes", http.MethodGet, "", 204},
		{"valid_token", http.MethodPost, "Bearer " + issuer.Token("u1"), 204},
		{"basic_scheme_refused", http.MethodGet, "Basic dTpw", 401},
		{"bad_token_is_401_not_anonymous", http.MethodGet, "Bearer nope", 401},
		{"read_only_token_cannot_write", http.MethodPost, "Bearer " + issuer.TokenWithScopes("u1", []string{auth.ScopeRead}), 403},
		{"read_only_token_reads", http.MethodGet, "Bearer " + issuer.TokenWithScopes("u1", []string{auth.ScopeRead}), 204},
		{"write_only_token_cannot_read", http.MethodGet, "Bearer " + issuer.TokenWithScopes("u1", []string{auth.ScopeWrite}), 403},
		{"feeds_token_cannot_read_the_api", http.MethodGet, "Bearer " + issuer.TokenWithScopes("u1", []string{"feeds:read"}), 403},
		{"feeds_token_reads_its_own_account", http.MethodGet, "Bearer " + issuer.TokenWithScopes("u1", []string{"feeds:read"}), 204},
		{"basic_passes_to_opds", http.MethodGet, "Basic dTpw", 204},
	}
	paths := map[string]string{"feeds_token_reads_its_own_account": "/v1/users/me", "basic_passes_to_opds": "/opds/v2/catalog"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := "/v1/media"
			if p, ok := paths[tc.name]; ok {
				path = p
			}
			req := httptest.NewRequest(tc.method, path, nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	_ = seen
}

func TestJWKSClientRefetchesOnUnknownKey(t *testing.T) {
	t.Parallel()
	issuer := authtest.NewIssuer(t)
	set, _ := issuer.Keys(context.Background(), false)
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		b, _ := jsonOf(set)
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	c := auth.NewJWKSClient(srv.URL, srv.Client(), 1<<62)
	v := auth.NewVerifier(c)
	for range 3 {
		if _, err := v.Verify(context.Background(), issuer.Token("u")); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("JWKS fetched %d times for 3 tokens, want 1 (cached)", calls)
	}
	// A token from an unknown key triggers at most one rate-limited refetch.
	stranger := authtest.NewIssuer(t)
	for range 3 {
		_, _ = v.Verify(context.Background(), stranger.Token("u"))
	}
	if calls > 1 {
		t.Fatalf("unknown keys caused %d fetches within the refresh interval", calls)
	}
}
