package identity

import (
	"net/http"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func TestHTTPSessionList(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			e.register("dora@example.org", "Dora")
			e.register("eli@example.org", "Eli")
			signIn := func(email, ua string) (string, string) {
				r := e.call("POST", "/v1/auth/token", "", map[string]any{"email": email, "password": goodPassword}, "User-Agent", ua).
					want(t, http.StatusOK)
				return r.str("access_token"), r.str("refresh_token")
			}
			sessions := func(access string) []map[string]any {
				r := e.call("GET", "/v1/users/me/sessions", access, nil).want(t, http.StatusOK)
				var out []map[string]any
				items, _ := r.body["items"].([]any)
				for _, it := range items {
					m, _ := it.(map[string]any)
					out = append(out, m)
				}
				return out
			}

			_, phoneRefresh := signIn("dora@example.org", "PhoneBrowser/1.0")
			laptop, _ := signIn("dora@example.org", "LaptopBrowser/2.0")
			tablet, _ := signIn("dora@example.org", "TabletBrowser/3.0")
			eli, _ := signIn("eli@example.org", "EliBrowser/1.0")

			list := sessions(laptop)
			if len(list) != 3 {
				t.Fatalf("sessions = %v", list)
			}
			var phoneID, laptopID string
			for _, s := range list {
				if s["address"] == "" || s["last_used_at"] == nil || s["method"] != "password" {
					t.Errorf("incomplete session %v", s)
				}
				switch s["device"] {
				case "PhoneBrowser/1.0":
					phoneID, _ = s["id"].(string)
				case "LaptopBrowser/2.0":
					laptopID, _ = s["id"].(string)
					if s["current"] != true {
						t.Errorf("the caller's session is not current: %v", s)
					}
				default:
					if s["current"] == true {
						t.Errorf("another session is current: %v", s)
					}
				}
			}
			if phoneID == "" || laptopID == "" {
				t.Fatalf("devices not shown: %v", list)
			}

			// A refresh is a use, from the device that refreshes.
			r := e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": phoneRefresh}, "User-Agent", "PhoneBrowser/1.1").
				want(t, http.StatusOK)
			phone := r.str("access_token")
			if got := sessions(laptop)[0]; got["id"] != phoneID || got["device"] != "PhoneBrowser/1.1" {
				t.Fatalf("most recent session = %v", got)
			}

			// Nobody ends another user's session, or learns it exists.
			e.call("DELETE", "/v1/users/me/sessions/"+phoneID, eli, nil).want(t, http.StatusNotFound)
			e.call("DELETE", "/v1/users/me/sessions/not-a-uuid", laptop, nil).want(t, http.StatusNotFound)
			e.call("GET", "/v1/users/me", phone, nil).want(t, http.StatusOK)

			// Ending one session ends its tokens at once and no other.
			e.call("DELETE", "/v1/users/me/sessions/"+phoneID, laptop, nil).want(t, http.StatusNoContent)
			e.call("GET", "/v1/users/me", phone, nil).want(t, http.StatusUnauthorized)
			e.call("DELETE", "/v1/users/me/sessions/"+phoneID, laptop, nil).want(t, http.StatusNotFound)
			if got := sessions(laptop); len(got) != 2 {
				t.Fatalf("after ending one: %v", got)
			}

			// Everywhere else.
			e.call("DELETE", "/v1/users/me/sessions?keep_current=true", laptop, nil).want(t, http.StatusNoContent)
			e.call("GET", "/v1/users/me", tablet, nil).want(t, http.StatusUnauthorized)
			if got := sessions(laptop); len(got) != 1 || got[0]["id"] != laptopID {
				t.Fatalf("after ending the others: %v", got)
			}
			e.call("GET", "/v1/users/me", eli, nil).want(t, http.StatusOK)

			// A token exchanged for a personal API token cannot end sessions.
			secret := e.call("POST", "/v1/users/me/tokens", laptop, map[string]any{"name": "script", "scopes": []string{"read", "write"}}).
				want(t, http.StatusCreated).str("token")
			script := e.call("POST", "/v1/auth/token", "", map[string]any{"api_token": secret}).want(t, http.StatusOK).str("access_token")
			e.call("DELETE", "/v1/users/me/sessions", script, nil).want(t, http.StatusForbidden)
			e.call("GET", "/v1/users/me", laptop, nil).want(t, http.StatusOK)
			// Nor change the password, even knowing it (found by the authorisation matrix).
			e.call("POST", "/v1/users/me/password", script, map[string]any{"current_password": goodPassword,
				"new_password": "Another-Fine-Pass-9"}).want(t, http.StatusForbidden)
			e.call("GET", "/v1/users/me", laptop, nil).want(t, http.StatusOK)

			// Everywhere.
			e.call("DELETE", "/v1/users/me/sessions", laptop, nil).want(t, http.StatusNoContent)
			e.call("GET", "/v1/users/me", laptop, nil).want(t, http.StatusUnauthorized)
			e.call("GET", "/v1/users/me/sessions", laptop, nil).want(t, http.StatusUnauthorized)
			e.call("GET", "/v1/users/me/sessions", "", nil).want(t, http.StatusUnauthorized)
		})
	}
}
