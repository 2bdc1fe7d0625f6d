package identity

import (
	"net/http"
	"slices"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func TestHTTPAdministration(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			admin := e.adminToken()
			adminID := e.call("GET", "/v1/users/me", admin, nil).want(t, http.StatusOK).str("id")
			ginaID := e.register("gina@example.org", "Gina")
			hankID := e.register("hank@example.org", "Hank")
			gina, _ := e.login("gina@example.org", goodPassword)

			t.Run("non_admin_gets_403_on_admin_routes", func(t *testing.T) {
				for _, c := range []struct{ method, path string }{
					{"GET", "/v1/users"},
					{"PATCH", "/v1/users/" + hankID},
					{"DELETE", "/v1/users/" + hankID},
					{"GET", "/v1/admin/signing-keys"},
					{"POST", "/v1/admin/signing-keys/rotate"},
				} {
					var body any
					if c.method == "PATCH" {
						body = map[string]any{"suspended": true}
					}
					e.call(c.method, c.path, gina, body).want(t, http.StatusForbidden)
					e.call(c.method, c.path, "", body).want(t, http.StatusUnauthorized)
				}
			})
			t.Run("admin_lists_with_filters_and_pages", func(t *testing.T) {
				r := e.call("GET", "/v1/users?page_size=2", admin, nil).want(t, http.StatusOK)
				items, _ := r.body["items"].([]any)
				next := r.str("next_page_token")
				if len(items) != 2 || next == "" {
					t.Fatalf("first page = %s", r.raw)
				}
				r = e.call("GET", "/v1/users?page_size=2&page_token="+next, admin, nil).want(t, http.StatusOK)
				items, _ = r.body["items"].([]any)
				if len(items) != 1 || r.str("next_page_token") != "" {
					t.Fatalf("last page = %s", r.raw)
				}
				r = e.call("GET", "/v1/users?q=GIN", admin, nil).want(t, http.StatusOK)
				if items, _ := r.body["items"].([]any); len(items) != 1 {
					t.Fatalf("q filter = %s", r.raw)
				}
				r = e.call("GET", "/v1/users?role=admin", admin, nil).want(t, http.StatusOK)
				if items, _ := r.body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != adminID {
					t.Fatalf("role filter = %s", r.raw)
				}
				r = e.call("GET", "/v1/users?page_token=garbage", admin, nil).want(t, http.StatusUnprocessableEntity)
				if !slices.Contains(r.fieldErrors(), "page_token") {
					t.Fatalf("errors = %s", r.raw)
				}
			})
			t.Run("admin_changes_roles_and_reader_is_kept", func(t *testing.T) {
				r := e.call("PATCH", "/v1/users/"+hankID, admin, map[string]any{"roles": []string{"author"}}).want(t, http.StatusOK)
				roles, _ := r.body["roles"].([]any)
				if !slices.Equal(roles, []any{"reader", "author"}) || r.header.Get("ETag") != `"2"` {
					t.Fatalf("patched = %s", r.raw)
				}
				r = e.call("PATCH", "/v1/users/"+hankID, admin, map[string]any{"roles": []string{"root"}}).want(t, http.StatusUnprocessableEntity)
				if !slices.Contains(r.fieldErrors(), "roles") {
					t.Fatalf("errors = %s", r.raw)
				}
				e.call("PATCH", "/v1/users/"+hankID, admin, map[string]any{"display_name": "H"}, "If-Match", `"1"`).want(t, http.StatusPreconditionFailed)
				e.call("PATCH", "/v1/users/01900000-0000-7000-8000-000000000000", admin, map[string]any{"display_name": "H"}).want(t, http.StatusNotFound)
			})
			t.Run("suspended_user_cannot_sign_in_or_refresh", func(t *testing.T) {
				_, refresh := e.login("hank@example.org", goodPassword)
				e.call("PATCH", "/v1/users/"+hankID, admin, map[string]any{"suspended": true}).want(t, http.StatusOK)
				r := e.call("POST", "/v1/auth/token", "", map[string]any{"email": "hank@example.org", "password": goodPassword}).want(t, http.StatusForbidden)
				if r.str("detail") != "account suspended" {
					t.Fatalf("detail = %s", r.raw)
				}
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}).want(t, http.StatusForbidden)
				// Others no longer see a suspended user; admins do.
				e.call("GET", "/v1/users/"+hankID, gina, nil).want(t, http.StatusNotFound)
				e.call("GET", "/v1/users/"+hankID, admin, nil).want(t, http.StatusOK)
				e.call("PATCH", "/v1/users/"+hankID, admin, map[string]any{"suspended": false}).want(t, http.StatusOK)
				e.login("hank@example.org", goodPassword)
			})
			t.Run("admin_cannot_demote_or_suspend_self", func(t *testing.T) {
				e.call("PATCH", "/v1/users/"+adminID, admin, map[string]any{"roles": []string{"reader"}}).want(t, http.StatusConflict)
				e.call("PATCH", "/v1/users/"+adminID, admin, map[string]any{"suspended": true}).want(t, http.StatusConflict)
			})
			t.Run("last_admin_cannot_be_deleted", func(t *testing.T) {
				e.call("DELETE", "/v1/users/"+adminID, admin, nil).want(t, http.StatusConflict)
				// With a second admin, the first may go.
				e.call("PATCH", "/v1/users/"+ginaID, admin, map[string]any{"roles": []string{"admin"}}).want(t, http.StatusOK)
				gina, _ = e.login("gina@example.org", goodPassword)
				e.call("DELETE", "/v1/users/"+adminID, gina, nil).want(t, http.StatusNoContent)
				e.call("DELETE", "/v1/users/"+ginaID, gina, nil).want(t, http.StatusConflict)
			})
		})
	}
}
