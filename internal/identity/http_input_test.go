package identity

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// TestHostileText sends NUL (which PostgreSQL cannot store) and other
// control or bidirectional override characters in every text field and
// filter: they are refused naming the field, or are wrong credentials, and
// never a 500.
func TestHostileText(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			admin := e.adminToken()
			id := e.register("nina@example.org", "Nina")
			nina, _ := e.login("nina@example.org", goodPassword)
			const nul = "\u0000"
			tests := []struct {
				name, method, path, token string
				body                      any
				status                    int
				field                     string
			}{
				{"register_email", "POST", "/v1/users", "", map[string]any{"email": "x" + nul + "@example.org", "password": goodPassword, "display_name": "X"}, 422, "email"},
				{"register_password", "POST", "/v1/users", "", map[string]any{"email": "y@example.org", "password": goodPassword + nul, "display_name": "Y"}, 422, "password"},
				{"register_name", "POST", "/v1/users", "", map[string]any{"email": "z@example.org", "password": goodPassword, "display_name": "Z" + nul}, 422, "display_name"},
				{"register_bidi_name", "POST", "/v1/users", "", map[string]any{"email": "w@example.org", "password": goodPassword, "display_name": "W\u202eevil"}, 422, "display_name"},
				{"sign_in_email", "POST", "/v1/auth/token", "", map[string]any{"email": "nina@example.org" + nul, "password": goodPassword}, 401, ""},
				{"sign_in_email_bidi", "POST", "/v1/auth/token", "", map[string]any{"email": "nina\u2066@example.org", "password": goodPassword}, 401, ""},
				{"sign_in_password", "POST", "/v1/auth/token", "", map[string]any{"email": "nina@example.org", "password": nul}, 401, ""},
				{"api_token_exchange", "POST", "/v1/auth/token", "", map[string]any{"api_token": "alx_" + nul}, 401, ""},
				{"refresh_token", "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": nul}, 401, ""},
				{"logout_token", "POST", "/v1/auth/logout", "", map[string]any{"refresh_token": nul}, 401, ""},
				{"me_name", "PATCH", "/v1/users/me", nina, map[string]any{"display_name": nul}, 422, "display_name"},
				{"password_current", "POST", "/v1/users/me/password", nina, map[string]any{"current_password": nul, "new_password": "Another-Fine-Pass-9"}, 422, "current_password"},
				{"password_new", "POST", "/v1/users/me/password", nina, map[string]any{"current_password": goodPassword, "new_password": "Another-Fine" + nul}, 422, "new_password"},
				{"admin_name", "PATCH", "/v1/users/" + id, admin, map[string]any{"display_name": "N" + nul}, 422, "display_name"},
				{"admin_roles", "PATCH", "/v1/users/" + id, admin, map[string]any{"roles": []string{nul}}, 422, "roles"},
				{"api_token_name", "POST", "/v1/users/me/tokens", nina, map[string]any{"name": nul, "scopes": []string{"read"}}, 422, "name"},
				{"api_token_scope", "POST", "/v1/users/me/tokens", nina, map[string]any{"name": "n", "scopes": []string{nul}}, 422, "scopes[0]"},
				{"user_path", "GET", "/v1/users/" + url.PathEscape(nul), "", nil, 404, ""},
				{"list_q", "GET", "/v1/users?q=" + url.QueryEscape(nul), admin, nil, 422, "q"},
				{"list_q_control", "GET", "/v1/users?q=" + url.QueryEscape("a\x1b"), admin, nil, 422, "q"},
				{"list_page_token", "GET", "/v1/users?page_token=" + url.QueryEscape(nul), admin, nil, 422, "page_token"},
			}
			for _, tt := range tests {
				r := e.call(tt.method, tt.path, tt.token, tt.body)
				if r.status != tt.status {
					t.Errorf("%s: status %d, want %d: %s", tt.name, r.status, tt.status, r.raw)
					continue
				}
				if tt.field != "" && !slices.Contains(r.fieldErrors(), tt.field) {
					t.Errorf("%s: no error on %s: %s", tt.name, tt.field, r.raw)
				}
			}
			// The account is unharmed.
			e.call("GET", "/v1/users/me", nina, nil).want(t, http.StatusOK)
		})
	}
}
