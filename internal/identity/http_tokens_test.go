package identity

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func TestHTTPAPITokens(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			e.register("ivy@example.org", "Ivy")
			ivy, _ := e.login("ivy@example.org", goodPassword)

			r := e.call("POST", "/v1/users/me/tokens", ivy, map[string]any{"name": "e-reader", "scopes": []string{"read"}}).want(t, http.StatusCreated)
			secret, tokenID := r.str("token"), r.str("id")
			if !strings.HasPrefix(secret, "alx_") || r.str("expires_at") == "" {
				t.Fatalf("created = %s", r.raw)
			}

			t.Run("read_only_token_exchanges_and_cannot_write", func(t *testing.T) {
				r := e.call("POST", "/v1/auth/token", "", map[string]any{"api_token": secret}).want(t, http.StatusOK)
				if r.str("refresh_token") != "" {
					t.Fatalf("exchange answered a refresh token: %s", r.raw)
				}
				readOnly := r.str("access_token")
				e.call("GET", "/v1/users/me", readOnly, nil).want(t, http.StatusOK)
				e.call("PATCH", "/v1/users/me", readOnly, map[string]any{"display_name": "Nope"}).want(t, http.StatusForbidden)
				e.call("POST", "/v1/users/me/tokens", readOnly, map[string]any{"name": "x", "scopes": []string{"read"}}).want(t, http.StatusForbidden)
			})
			t.Run("list_shows_no_secrets", func(t *testing.T) {
				r := e.call("GET", "/v1/users/me/tokens", ivy, nil).want(t, http.StatusOK)
				if strings.Contains(r.raw, secret) || !strings.Contains(r.raw, tokenID) || !strings.Contains(r.raw, "last_used_at") {
					t.Fatalf("list = %s", r.raw)
				}
			})
			t.Run("admin_scope_is_for_admins_only", func(t *testing.T) {
				e.call("POST", "/v1/users/me/tokens", ivy, map[string]any{"name": "x", "scopes": []string{"admin"}}).want(t, http.StatusForbidden)
				r := e.call("POST", "/v1/users/me/tokens", ivy, map[string]any{"name": "x", "scopes": []string{"read"}, "expires_in_days": 400}).
					want(t, http.StatusUnprocessableEntity)
				if r.fieldErrors()[0] != "expires_in_days" {
					t.Fatalf("errors = %s", r.raw)
				}
				e.call("POST", "/v1/users/me/tokens", e.adminToken(), map[string]any{"name": "ops", "scopes": []string{"read", "write", "admin"}}).
					want(t, http.StatusCreated)
			})
			t.Run("others_cannot_revoke_and_revoked_tokens_do_not_exchange", func(t *testing.T) {
				e.call("DELETE", "/v1/users/me/tokens/"+tokenID, e.adminToken(), nil).want(t, http.StatusNotFound)
				e.call("DELETE", "/v1/users/me/tokens/"+tokenID, ivy, nil).want(t, http.StatusNoContent)
				e.call("DELETE", "/v1/users/me/tokens/"+tokenID, ivy, nil).want(t, http.StatusNotFound)
				e.call("POST", "/v1/auth/token", "", map[string]any{"api_token": secret}).want(t, http.StatusUnauthorized)
				e.call("POST", "/v1/auth/token", "", map[string]any{"api_token": "alx_made-up"}).want(t, http.StatusUnauthorized)
			})
		})
	}
}

func TestHTTPSigningKeys(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			admin := e.adminToken()
			e.register("jon@example.org", "Jon")
			before, _ := e.login("jon@example.org", goodPassword)

			r := e.call("POST", "/v1/admin/signing-keys/rotate", admin, nil).want(t, http.StatusOK)
			items, _ := r.body["items"].([]any)
			if len(items) != 2 || strings.Contains(r.raw, `"d"`) {
				t.Fatalf("keys after rotation = %s", r.raw)
			}

			t.Run("token_signed_before_rotation_still_verifies", func(t *testing.T) {
				e.call("GET", "/v1/users/me", before, nil).want(t, http.StatusOK)
				after, _ := e.login("jon@example.org", goodPassword)
				e.call("GET", "/v1/users/me", after, nil).want(t, http.StatusOK)
			})
			t.Run("jwks_lists_both_public_keys_without_auth", func(t *testing.T) {
				res, err := http.Get(e.url + "/.well-known/jwks.json")
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				raw, _ := io.ReadAll(res.Body)
				if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "max-age=300") {
					t.Fatalf("status %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
				}
				set, err := jwk.Parse(raw)
				if err != nil || set.Len() != 2 {
					t.Fatalf("JWKS %s: %v", raw, err)
				}
				var doc struct {
					Keys []map[string]any `json:"keys"`
				}
				_ = json.Unmarshal(raw, &doc)
				for _, k := range doc.Keys {
					if k["kty"] != "OKP" || k["crv"] != "Ed25519" || k["alg"] != "EdDSA" || k["use"] != "sig" || k["kid"] == "" || k["d"] != nil {
						t.Fatalf("key = %v", k)
					}
				}
			})
			t.Run("admin_lists_keys_without_material", func(t *testing.T) {
				r := e.call("GET", "/v1/admin/signing-keys", admin, nil).want(t, http.StatusOK)
				if strings.Contains(r.raw, "private") || strings.Count(r.raw, `"kid"`) != 2 || strings.Count(r.raw, `"active":true`) != 1 {
					t.Fatalf("list = %s", r.raw)
				}
			})
		})
	}
}
