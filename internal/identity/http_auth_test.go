package identity

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func TestHTTPAccountsAndSessions(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)

			t.Run("register_is_201_with_normalised_email", func(t *testing.T) {
				r := e.call("POST", "/v1/users", "", map[string]any{
					"email": "  Ann@Example.ORG ", "password": goodPassword, "display_name": " Ann "}).want(t, http.StatusCreated)
				if r.str("email") != "ann@example.org" || r.str("display_name") != "Ann" || r.header.Get("ETag") != `"1"` {
					t.Fatalf("body %s etag %s", r.raw, r.header.Get("ETag"))
				}
				if roles, _ := r.body["roles"].([]any); len(roles) != 1 || roles[0] != "reader" {
					t.Fatalf("roles = %v", r.body["roles"])
				}
			})
			t.Run("duplicate_email_is_409", func(t *testing.T) {
				e.call("POST", "/v1/users", "", map[string]any{
					"email": "ANN@example.org", "password": goodPassword, "display_name": "Ann 2"}).want(t, http.StatusConflict)
			})
			t.Run("weak_password_is_422_naming_password", func(t *testing.T) {
				r := e.call("POST", "/v1/users", "", map[string]any{
					"email": "weak@example.org", "password": "password123", "display_name": "W"}).want(t, http.StatusUnprocessableEntity)
				if !slices.Contains(r.fieldErrors(), "password") {
					t.Fatalf("errors = %s", r.raw)
				}
			})
			t.Run("unknown_field_is_refused", func(t *testing.T) {
				r := e.call("POST", "/v1/users", "", map[string]any{
					"email": "extra@example.org", "password": goodPassword, "display_name": "X", "roles": []string{"admin"}})
				if r.status != http.StatusUnprocessableEntity && r.status != http.StatusBadRequest {
					t.Fatalf("status %d: %s", r.status, r.raw)
				}
			})

			bobID := e.register("bob@example.org", "Bob")
			t.Run("login_answers_a_bearer_pair", func(t *testing.T) {
				r := e.call("POST", "/v1/auth/token", "", map[string]any{"email": "BOB@example.org", "password": goodPassword}).want(t, http.StatusOK)
				if r.str("token_type") != "Bearer" || r.str("access_token") == "" || r.str("refresh_token") == "" ||
					r.body["expires_in"] != float64(900) || r.header.Get("Cache-Control") != "no-store" {
					t.Fatalf("token response %s", r.raw)
				}
			})
			t.Run("wrong_password_and_unknown_email_get_the_same_401", func(t *testing.T) {
				a := e.call("POST", "/v1/auth/token", "", map[string]any{"email": "bob@example.org", "password": "not-" + goodPassword}).want(t, http.StatusUnauthorized)
				b := e.call("POST", "/v1/auth/token", "", map[string]any{"email": "nobody@example.org", "password": goodPassword}).want(t, http.StatusUnauthorized)
				if a.str("detail") != b.str("detail") {
					t.Fatalf("different answers: %q vs %q", a.str("detail"), b.str("detail"))
				}
			})
			t.Run("me_needs_a_token", func(t *testing.T) {
				e.call("GET", "/v1/users/me", "", nil).want(t, http.StatusUnauthorized)
				e.call("GET", "/v1/users/me", "garbage", nil).want(t, http.StatusUnauthorized)
			})
			t.Run("me_answers_the_account_with_etag", func(t *testing.T) {
				access, _ := e.login("bob@example.org", goodPassword)
				r := e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusOK)
				if r.str("id") != bobID || r.header.Get("ETag") != `"1"` {
					t.Fatalf("me = %s", r.raw)
				}
			})
			t.Run("patch_me_with_stale_if_match_is_412", func(t *testing.T) {
				access, _ := e.login("bob@example.org", goodPassword)
				e.call("PATCH", "/v1/users/me", access, map[string]any{"display_name": "Bobby"}, "If-Match", `"9"`).
					want(t, http.StatusPreconditionFailed)
				r := e.call("PATCH", "/v1/users/me", access, map[string]any{"display_name": "Bobby"}, "If-Match", `"1"`).want(t, http.StatusOK)
				if r.str("display_name") != "Bobby" || r.header.Get("ETag") != `"2"` {
					t.Fatalf("patched = %s", r.raw)
				}
				r = e.call("PATCH", "/v1/users/me", access, map[string]any{"display_name": "  "}).want(t, http.StatusUnprocessableEntity)
				if !slices.Contains(r.fieldErrors(), "display_name") {
					t.Fatalf("errors = %s", r.raw)
				}
			})
			t.Run("refresh_rotates_and_reuse_revokes_the_family", func(t *testing.T) {
				_, first := e.login("bob@example.org", goodPassword)
				r := e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": first}).want(t, http.StatusOK)
				second := r.str("refresh_token")
				if second == "" || second == first || r.str("access_token") == "" {
					t.Fatalf("refresh = %s", r.raw)
				}
				e.call("GET", "/v1/users/me", r.str("access_token"), nil).want(t, http.StatusOK)
				// Within refresh_reuse_grace (a second tab), a reuse is refused
				// without ending the session.
				r = e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": first}).want(t, http.StatusUnauthorized)
				if !strings.Contains(r.str("detail"), "already used") {
					t.Fatalf("reuse within grace = %s", r.raw)
				}
				e.backdateRefreshUse(first, time.Minute)
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": first}).want(t, http.StatusUnauthorized)
				// The reuse revoked the successor as well.
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": second}).want(t, http.StatusUnauthorized)
			})
			t.Run("unknown_refresh_token_is_401", func(t *testing.T) {
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": "nope"}).want(t, http.StatusUnauthorized)
			})
			t.Run("logout_ends_one_session_or_all", func(t *testing.T) {
				_, one := e.login("bob@example.org", goodPassword)
				access, two := e.login("bob@example.org", goodPassword)
				// The refresh token alone proves the session.
				e.call("POST", "/v1/auth/logout", "", map[string]any{"refresh_token": one}).want(t, http.StatusNoContent)
				e.call("POST", "/v1/auth/logout", access, map[string]any{"refresh_token": one}).want(t, http.StatusNoContent)
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": one}).want(t, http.StatusUnauthorized)
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": two}).want(t, http.StatusOK)
				_, three := e.login("bob@example.org", goodPassword)
				e.call("POST", "/v1/auth/logout", access, nil).want(t, http.StatusNoContent)
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": three}).want(t, http.StatusUnauthorized)
			})
			t.Run("logout_of_someone_elses_session_is_404", func(t *testing.T) {
				_, adminRefresh := e.login(testAdminEmail, testAdminPassword)
				access, _ := e.login("bob@example.org", goodPassword)
				e.call("POST", "/v1/auth/logout", access, map[string]any{"refresh_token": adminRefresh}).want(t, http.StatusNotFound)
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": adminRefresh}).want(t, http.StatusOK)
			})
			t.Run("password_change_needs_the_current_one_and_ends_the_other_sessions", func(t *testing.T) {
				e.register("carol@example.org", "Carol")
				otherAccess, refresh := e.login("carol@example.org", goodPassword)
				access, own := e.login("carol@example.org", goodPassword)
				r := e.call("POST", "/v1/users/me/password", access, map[string]any{"current_password": "wrong-" + goodPassword, "new_password": "Another-Fine-Pass-9"}).
					want(t, http.StatusUnprocessableEntity)
				if !slices.Contains(r.fieldErrors(), "current_password") {
					t.Fatalf("errors = %s", r.raw)
				}
				e.call("POST", "/v1/users/me/password", access, map[string]any{"current_password": goodPassword, "new_password": "Another-Fine-Pass-9"}).
					want(t, http.StatusNoContent)
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}).want(t, http.StatusUnauthorized)
				e.call("GET", "/v1/users/me", otherAccess, nil).want(t, http.StatusUnauthorized)
				// The session that changed the password goes on.
				e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusOK)
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": own}).want(t, http.StatusOK)
				e.call("POST", "/v1/auth/token", "", map[string]any{"email": "carol@example.org", "password": goodPassword}).want(t, http.StatusUnauthorized)
				e.login("carol@example.org", "Another-Fine-Pass-9")
			})
			t.Run("user_lookup_shows_others_only_id_and_name", func(t *testing.T) {
				r := e.call("GET", "/v1/users/"+bobID, "", nil).want(t, http.StatusOK)
				if len(r.body) != 2 || r.str("id") != bobID || r.str("display_name") == "" {
					t.Fatalf("anonymous view = %s", r.raw)
				}
				access, _ := e.login("bob@example.org", goodPassword)
				r = e.call("GET", "/v1/users/"+bobID, access, nil).want(t, http.StatusOK)
				if r.str("email") != "bob@example.org" || r.header.Get("ETag") == "" {
					t.Fatalf("own view = %s", r.raw)
				}
				e.call("GET", "/v1/users/not-a-uuid", "", nil).want(t, http.StatusNotFound)
				e.call("GET", "/v1/users/01900000-0000-7000-8000-000000000000", "", nil).want(t, http.StatusNotFound)
			})
			t.Run("delete_self_then_sign_in_fails", func(t *testing.T) {
				id := e.register("dave@example.org", "Dave")
				access, refresh := e.login("dave@example.org", goodPassword)
				other := e.register("erin@example.org", "Erin")
				e.call("DELETE", "/v1/users/"+other, access, nil).want(t, http.StatusForbidden)
				e.call("DELETE", "/v1/users/"+id, access, nil).want(t, http.StatusNoContent)
				e.call("POST", "/v1/auth/token", "", map[string]any{"email": "dave@example.org", "password": goodPassword}).want(t, http.StatusUnauthorized)
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}).want(t, http.StatusUnauthorized)
				e.call("GET", "/v1/users/"+id, "", nil).want(t, http.StatusNotFound)
			})
		})
	}
}

func TestHTTPThrottling(t *testing.T) {
	t.Parallel()
	backend := moduletest.Stores(t)[0] // limits live in memory: one store is enough
	t.Run("account_failures_lock_even_the_right_password", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, backend, func(c *Config) { c.LoginMaxFailures = 2; c.LoginFailureWindow = time.Minute })
		e.register("frank@example.org", "Frank")
		for range 2 {
			e.call("POST", "/v1/auth/token", "", map[string]any{"email": "frank@example.org", "password": "wrong-password!"}).want(t, http.StatusUnauthorized)
		}
		r := e.call("POST", "/v1/auth/token", "", map[string]any{"email": "frank@example.org", "password": goodPassword}).want(t, http.StatusTooManyRequests)
		if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n < 1 || n > 60 {
			t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
		}
		// Other accounts are unaffected.
		e.login(testAdminEmail, testAdminPassword)
	})
	t.Run("too_many_attempts_from_one_address_is_429", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, backend, func(c *Config) { c.LoginRatePerAddress = 2 })
		e.login(testAdminEmail, testAdminPassword)
		e.call("POST", "/v1/auth/token", "", map[string]any{"email": "x@example.org", "password": "whatever-pass"}).want(t, http.StatusUnauthorized)
		r := e.call("POST", "/v1/auth/token", "", map[string]any{"email": testAdminEmail, "password": testAdminPassword}).want(t, http.StatusTooManyRequests)
		if r.header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
	})
}

func TestFirstAdmin(t *testing.T) {
	t.Parallel()
	backend := moduletest.Stores(t)[0]
	e := newEnv(t, backend, func(c *Config) { c.AdminPassword = ""; c.AdminEmail = "Boss@Example.org" })
	printed := e.out.String()
	if !strings.Contains(printed, "created administrator boss@example.org with password ") {
		t.Fatalf("printed %q", printed)
	}
	password := strings.Fields(strings.SplitN(printed, "with password ", 2)[1])[0]
	access, _ := e.login("boss@example.org", password)
	r := e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusOK)
	if roles, _ := r.body["roles"].([]any); !slices.Contains(roles, any("admin")) {
		t.Fatalf("roles = %v", r.body["roles"])
	}
	// A second start finds the admin and prints nothing.
	e.out.Reset()
	if err := e.svc.ensureAdmin(t.Context()); err != nil || e.out.Len() != 0 {
		t.Fatalf("second ensure: %v, printed %q", err, e.out.String())
	}
}
