package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/auth/authtest"
)

// A token holding only progress:write may save progress and do nothing else.
func TestProgressTokenOnlySavesProgress(t *testing.T) {
	t.Parallel()
	issuer := authtest.NewIssuer(t)
	var seen auth.Principal
	h := auth.Middleware(issuer.Verifier())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = auth.FromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	}))
	progress := "Bearer " + issuer.TokenWithScopes("u1", []string{auth.ScopeProgressWrite})
	feeds := "Bearer " + issuer.TokenWithScopes("u1", []string{auth.ScopeFeedsRead})
	cases := []struct {
		name, method, path, header string
		status                     int
	}{
		{"progress_put", http.MethodPut, "/v1/users/me/progress/0b6f2a52-6f1e-4a8e-9d55-3f0c1d7a9e11", progress, 204},
		{"progress_list_is_a_read", http.MethodGet, "/v1/users/me/progress", progress, 403},
		{"progress_get_one", http.MethodGet, "/v1/users/me/progress/x", progress, 403},
		{"progress_post", http.MethodPost, "/v1/users/me/progress/x", progress, 403},
		{"progress_delete", http.MethodDelete, "/v1/users/me/progress/x", progress, 403},
		{"deeper_path", http.MethodPut, "/v1/users/me/progress/x/y", progress, 403},
		{"other_users_progress", http.MethodPut, "/v1/users/u2/progress/x", progress, 403},
		{"like", http.MethodPut, "/v1/media/x/like", progress, 403},
		{"follow", http.MethodPut, "/v1/users/me/follows/author/x", progress, 403},
		{"collections", http.MethodPost, "/v1/collections", progress, 403},
		{"account", http.MethodGet, "/v1/users/me", progress, 403},
		{"account_update", http.MethodPatch, "/v1/users/me", progress, 403},
		{"media", http.MethodGet, "/v1/media", progress, 403},
		{"feeds_token_cannot_save_progress", http.MethodPut, "/v1/users/me/progress/x", feeds, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seen = auth.Principal{}
			req := httptest.NewRequest(tc.method, tc.path, nil)
			req.Header.Set("Authorization", tc.header)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status == 204 && seen.UserID != "u1" {
				t.Fatalf("caller = %+v", seen)
			}
		})
	}
}
