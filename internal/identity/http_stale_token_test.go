package identity

import (
	"net/http"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// A token says what its holder could do when it was issued. Identity acts
// on what the account may do now: a suspended, demoted or deleted account
// must not use a token it still holds to undo what happened to it.
func TestStaleTokensLoseTheirPowers(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			root := e.adminToken()
			rootID := e.call("GET", "/v1/users/me", root, nil).want(t, http.StatusOK).str("id")

			// makeAdmin registers an administrator and returns their ID and
			// an access token issued while they were one.
			makeAdmin := func(email string) (string, string) {
				id := e.register(email, "Admin "+email)
				e.call("PATCH", "/v1/users/"+id, root, map[string]any{"roles": []string{"admin"}}).want(t, http.StatusOK)
				access, _ := e.login(email, goodPassword)
				return id, access
			}
			adminRoutes := func(selfID string) []struct {
				name, method, path string
				body               any
			} {
				return []struct {
					name, method, path string
					body               any
				}{
					{"reinstate_self", "PATCH", "/v1/users/" + selfID, map[string]any{"suspended": false}},
					{"grant_self_admin", "PATCH", "/v1/users/" + selfID, map[string]any{"roles": []string{"admin"}}},
					{"suspend_another_admin", "PATCH", "/v1/users/" + rootID, map[string]any{"suspended": true}},
					{"delete_another_admin", "DELETE", "/v1/users/" + rootID, nil},
					{"list_users", "GET", "/v1/users", nil},
					{"list_signing_keys", "GET", "/v1/admin/signing-keys", nil},
					{"rotate_signing_keys", "POST", "/v1/admin/signing-keys/rotate", nil},
				}
			}

			t.Run("suspended_admin_is_refused_everywhere", func(t *testing.T) {
				id, stale := makeAdmin("sus-admin@example.org")
				e.call("PATCH", "/v1/users/"+id, root, map[string]any{"suspended": true}).want(t, http.StatusOK)
				for _, c := range adminRoutes(id) {
					r := e.call(c.method, c.path, stale, c.body)
					if r.status != http.StatusForbidden {
						t.Errorf("%s: status %d, want 403: %s", c.name, r.status, r.raw)
					}
				}
				r := e.call("GET", "/v1/users/"+id, root, nil).want(t, http.StatusOK)
				if r.body["suspended"] != true {
					t.Fatalf("the suspension was undone: %s", r.raw)
				}
			})
			t.Run("demoted_admin_keeps_only_what_the_account_has_now", func(t *testing.T) {
				id, stale := makeAdmin("demoted@example.org")
				e.call("PATCH", "/v1/users/"+id, root, map[string]any{"roles": []string{"reader"}}).want(t, http.StatusOK)
				for _, c := range adminRoutes(id) {
					r := e.call(c.method, c.path, stale, c.body)
					if r.status != http.StatusForbidden {
						t.Errorf("%s: status %d, want 403: %s", c.name, r.status, r.raw)
					}
				}
				r := e.call("GET", "/v1/users/"+id, root, nil).want(t, http.StatusOK)
				if roles, _ := r.body["roles"].([]any); len(roles) != 1 {
					t.Fatalf("the demotion was undone: %s", r.raw)
				}
				// What a reader may do still works.
				e.call("GET", "/v1/users/me", stale, nil).want(t, http.StatusOK)
			})
			t.Run("deleted_admin_is_unauthenticated", func(t *testing.T) {
				id, stale := makeAdmin("gone@example.org")
				e.call("DELETE", "/v1/users/"+id, root, nil).want(t, http.StatusNoContent)
				for _, c := range adminRoutes(id) {
					r := e.call(c.method, c.path, stale, c.body)
					if r.status != http.StatusUnauthorized {
						t.Errorf("%s: status %d, want 401: %s", c.name, r.status, r.raw)
					}
				}
			})
			t.Run("suspended_user_cannot_change_their_account", func(t *testing.T) {
				id := e.register("sus-user@example.org", "Sus")
				stale, _ := e.login("sus-user@example.org", goodPassword)
				e.call("PATCH", "/v1/users/"+id, root, map[string]any{"suspended": true}).want(t, http.StatusOK)
				for _, c := range []struct {
					name, method, path string
					body               any
				}{
					{"create_api_token", "POST", "/v1/users/me/tokens", map[string]any{"name": "x", "scopes": []string{"read"}}},
					{"list_api_tokens", "GET", "/v1/users/me/tokens", nil},
					{"list_sessions", "GET", "/v1/users/me/sessions", nil},
					{"end_sessions", "DELETE", "/v1/users/me/sessions", nil},
					{"second_factor", "GET", "/v1/users/me/second-factor", nil},
					{"totp_create", "POST", "/v1/users/me/totp", nil},
					{"totp_confirm", "POST", "/v1/users/me/totp/confirm", map[string]any{"code": "123456"}},
					{"passkey_begin", "POST", "/v1/users/me/passkeys/begin", nil},
					{"passkey_list", "GET", "/v1/users/me/passkeys", nil},
					{"change_profile", "PATCH", "/v1/users/me", map[string]any{"display_name": "Not suspended"}},
					{"change_password", "POST", "/v1/users/me/password", map[string]any{"current_password": goodPassword, "new_password": "Another-Fine-Pass-9"}},
				} {
					r := e.call(c.method, c.path, stale, c.body)
					if r.status != http.StatusForbidden || r.header.Get("Content-Type") != "application/problem+json" {
						t.Errorf("%s: status %d (%s), want a 403 problem: %s", c.name, r.status, r.header.Get("Content-Type"), r.raw)
					}
				}
				// The password did not change.
				e.call("PATCH", "/v1/users/"+id, root, map[string]any{"suspended": false}).want(t, http.StatusOK)
				e.login("sus-user@example.org", goodPassword)
			})
		})
	}
}

func TestLogoutEndsTheSessionsAccess(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			e.register("lou@example.org", "Lou")

			t.Run("logout_of_one_session_refuses_its_access_token", func(t *testing.T) {
				one, oneRefresh := e.login("lou@example.org", goodPassword)
				two, _ := e.login("lou@example.org", goodPassword)
				e.call("POST", "/v1/auth/logout", one, map[string]any{"refresh_token": oneRefresh}).want(t, http.StatusNoContent)
				e.call("GET", "/v1/users/me", one, nil).want(t, http.StatusUnauthorized)
				e.call("PATCH", "/v1/users/me", one, map[string]any{"display_name": "Ghost"}).want(t, http.StatusUnauthorized)
				e.call("GET", "/v1/users/me", two, nil).want(t, http.StatusOK)
			})
			t.Run("logout_of_every_session_refuses_every_access_token", func(t *testing.T) {
				one, _ := e.login("lou@example.org", goodPassword)
				two, _ := e.login("lou@example.org", goodPassword)
				e.call("POST", "/v1/auth/logout", one, nil).want(t, http.StatusNoContent)
				e.call("GET", "/v1/users/me", one, nil).want(t, http.StatusUnauthorized)
				e.call("GET", "/v1/users/me", two, nil).want(t, http.StatusUnauthorized)
			})
			t.Run("a_refreshed_token_dies_with_its_family", func(t *testing.T) {
				_, first := e.login("lou@example.org", goodPassword)
				access := e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": first}).want(t, http.StatusOK).str("access_token")
				e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusOK)
				e.backdateRefreshUse(first, time.Minute)
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": first}).want(t, http.StatusUnauthorized)
				e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusUnauthorized)
			})
			t.Run("an_api_token_cannot_sign_anyone_out", func(t *testing.T) {
				session, _ := e.login("lou@example.org", goodPassword)
				for _, scopes := range [][]string{{"read"}, {"read", "write"}} {
					secret := e.call("POST", "/v1/users/me/tokens", session, map[string]any{"name": "script", "scopes": scopes}).
						want(t, http.StatusCreated).str("token")
					scripted := e.call("POST", "/v1/auth/token", "", map[string]any{"api_token": secret}).want(t, http.StatusOK).str("access_token")
					r := e.call("POST", "/v1/auth/logout", scripted, nil).want(t, http.StatusForbidden)
					if r.header.Get("Content-Type") != "application/problem+json" {
						t.Fatalf("content type %q", r.header.Get("Content-Type"))
					}
					e.call("GET", "/v1/users/me", session, nil).want(t, http.StatusOK)
				}
			})
		})
	}
}

func TestRefreshOfASuspendedAccountIs403(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], nil)
	id := e.register("rita@example.org", "Rita")
	_, refresh := e.login("rita@example.org", goodPassword)
	e.call("PATCH", "/v1/users/"+id, e.adminToken(), map[string]any{"suspended": true}).want(t, http.StatusOK)
	r := e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}).want(t, http.StatusForbidden)
	if r.header.Get("Content-Type") != "application/problem+json" || r.str("detail") != "account suspended" {
		t.Fatalf("answer %s %s", r.header.Get("Content-Type"), r.raw)
	}
}
