package identity

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// oidcEnv is identity with the in-process mock provider "mock".
func oidcEnv(t *testing.T, tune func(*Config)) (*env, *mockoidc.MockOIDC) {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	e := newEnv(t, moduletest.Stores(t)[0], func(c *Config) {
		c.OIDC.Providers = []OIDCConfig{{ID: "mock", Name: "Mock IdP", Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
			RedirectURL: "http://alexandria.test/v1/auth/oidc/mock/callback", Scopes: []string{"email", "profile", "groups"}, RolesClaim: "groups"}}
		if tune != nil {
			tune(c)
		}
	})
	return e, m
}

var noRedirects = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize runs the browser's part: start at identity (with token, to
// link), sign in at the provider, and return the state and code the
// provider sends back.
func (e *env) authorize(t *testing.T, token string, link bool) (string, string) {
	t.Helper()
	start := e.url + "/v1/auth/oidc/mock/start?response=json"
	if link {
		start += "&link=true"
	}
	req, _ := http.NewRequest(http.MethodGet, start, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("start: %d", res.StatusCode)
	}
	to := res.Header.Get("Location")
	if u, _ := url.Parse(to); u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("nonce") == "" {
		t.Fatalf("no PKCE or nonce in %s", to)
	}
	res, err = noRedirects.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound || !strings.HasPrefix(back.String(), "http://alexandria.test/v1/auth/oidc/mock/callback") {
		t.Fatalf("provider answered %d %s", res.StatusCode, back)
	}
	return back.Query().Get("state"), back.Query().Get("code")
}

func (e *env) callback(state, code string) resp {
	return e.call("GET", "/v1/auth/oidc/mock/callback?"+url.Values{"state": {state}, "code": {code}}.Encode(), "", nil)
}

func TestOIDCSignIn(t *testing.T) {
	t.Parallel()
	e, m := oidcEnv(t, nil)

	t.Run("just_in_time_account_with_mapped_roles", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-ana", Email: "ana@idp.example", EmailVerified: true,
			PreferredUsername: "ana", Groups: []string{"author", "staff"}})
		state, code := e.authorize(t, "", false)
		r := e.callback(state, code).want(t, http.StatusOK)
		me := e.call("GET", "/v1/users/me", r.str("access_token"), nil).want(t, http.StatusOK)
		roles, _ := me.body["roles"].([]any)
		if me.str("email") != "ana@idp.example" || len(roles) != 2 || roles[1] != "author" {
			t.Fatalf("account = %s", me.raw)
		}
		// The state and the code work once.
		e.callback(state, code).want(t, http.StatusUnauthorized)
		// Signing in again finds the same account; the claim drives the roles.
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-ana", Email: "ana@idp.example", EmailVerified: true, Groups: nil})
		state, code = e.authorize(t, "", false)
		again := e.call("GET", "/v1/users/me", e.callback(state, code).want(t, http.StatusOK).str("access_token"), nil)
		roles, _ = again.body["roles"].([]any)
		if again.str("id") != me.str("id") || len(roles) != 1 {
			t.Fatalf("second sign-in = %s", again.raw)
		}
	})

	t.Run("wrong_state", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-x", Email: "x@idp.example", EmailVerified: true})
		_, code := e.authorize(t, "", false)
		e.callback("not-a-state-we-issued", code).want(t, http.StatusUnauthorized)
		e.callback("", code).want(t, http.StatusUnauthorized)
	})

	t.Run("replayed_code_under_a_new_state", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-rep", Email: "rep@idp.example", EmailVerified: true})
		state, code := e.authorize(t, "", false)
		e.callback(state, code).want(t, http.StatusOK)
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-rep", Email: "rep@idp.example", EmailVerified: true})
		state2, _ := e.authorize(t, "", false)
		e.callback(state2, code).want(t, http.StatusUnauthorized)
	})

	t.Run("expired_id_token", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-old", Email: "old@idp.example", EmailVerified: true})
		state, code := e.authorize(t, "", false)
		m.FastForward(-3 * time.Hour)
		r := e.callback(state, code)
		m.FastForward(3 * time.Hour)
		r.want(t, http.StatusUnauthorized)
		if !strings.Contains(r.raw, "expired") {
			t.Fatalf("answer = %s", r.raw)
		}
	})

	t.Run("wrong_audience", func(t *testing.T) {
		p, _ := e.svc.provider("mock")
		_, verifier, err := p.discover(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		raw, err := m.Keypair.SignJWT(&mockoidc.IDTokenClaims{Nonce: "n", RegisteredClaims: &jwt.RegisteredClaims{
			Audience: jwt.ClaimStrings{"another-client"}, Issuer: m.Issuer(), Subject: "sub-aud",
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.verifyIDToken(context.Background(), p, verifier, raw, "n")
		if err == nil || !strings.Contains(err.Error(), "audience") {
			t.Fatalf("a token for another client: %v", err)
		}
	})

	t.Run("no_silent_takeover_then_linking", func(t *testing.T) {
		id := e.register("owner@idp.example", "Owner")
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-owner", Email: "owner@idp.example", EmailVerified: true})
		state, code := e.authorize(t, "", false)
		e.callback(state, code).want(t, http.StatusConflict)
		// The owner proves the account here, then at the provider.
		access, _ := e.login("owner@idp.example", goodPassword)
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-owner", Email: "owner@idp.example", EmailVerified: true})
		state, code = e.authorize(t, access, true)
		e.callback(state, code).want(t, http.StatusOK)
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-owner", Email: "owner@idp.example", EmailVerified: true})
		state, code = e.authorize(t, "", false)
		r := e.callback(state, code).want(t, http.StatusOK)
		if got := e.call("GET", "/v1/users/me", r.str("access_token"), nil).str("id"); got != id {
			t.Fatalf("signed in as %s, want the linked %s", got, id)
		}
	})

	t.Run("unverified_email_gets_no_account", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-unv", Email: "unv@idp.example", EmailVerified: false})
		state, code := e.authorize(t, "", false)
		e.callback(state, code).want(t, http.StatusForbidden)
	})

	t.Run("providers_are_listed", func(t *testing.T) {
		r := e.call("GET", "/v1/auth/oidc/providers", "", nil).want(t, http.StatusOK)
		items, _ := r.body["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["id"] != "mock" {
			t.Fatalf("providers = %s", r.raw)
		}
	})

	t.Run("unknown_provider", func(t *testing.T) {
		e.call("GET", "/v1/auth/oidc/nope/start", "", nil).want(t, http.StatusNotFound)
	})
}

func TestPasswordsCanBeDisabled(t *testing.T) {
	t.Parallel()
	e, _ := oidcEnv(t, func(c *Config) { c.DisablePasswords = true })
	e.call("POST", "/v1/auth/token", "", map[string]any{"email": testAdminEmail, "password": testAdminPassword}).want(t, http.StatusForbidden)
	e.call("POST", "/v1/auth/session", "", map[string]any{"email": testAdminEmail, "password": testAdminPassword}).want(t, http.StatusForbidden)
	e.call("POST", "/v1/users", "", map[string]any{"email": "new@example.org", "password": goodPassword, "display_name": "New"}).
		want(t, http.StatusForbidden)
}

// TestLinkedProviders: the account screen's API. Linking answers the
// provider's URL as JSON to a script; the links are listed without the
// provider's subject; another user cannot see or remove them; unlinking the
// only way back into an account made by a provider is refused until the
// e-mail address is verified or a passkey exists.
func TestLinkedProviders(t *testing.T) {
	t.Parallel()
	e, m := oidcEnv(t, nil)

	// A password account links the provider, the start answered as JSON.
	e.register("linker@example.org", "Linker")
	access, _ := e.login("linker@example.org", goodPassword)
	e.call("GET", "/v1/users/me/oidc-identities", access, nil).want(t, http.StatusOK)
	start := e.call("GET", "/v1/auth/oidc/mock/start?link=true&response=json", access, nil, "Accept", "application/json").want(t, http.StatusOK)
	to := start.str("url")
	if u, err := url.Parse(to); err != nil || u.Query().Get("code_challenge_method") != "S256" || start.header.Get("Location") != "" {
		t.Fatalf("JSON start answered %s (Location %q)", start.raw, start.header.Get("Location"))
	}
	m.QueueUser(&mockoidc.MockUser{Subject: "sub-linker", Email: "linker@idp.example", EmailVerified: true})
	res, err := noRedirects.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	back, _ := url.Parse(res.Header.Get("Location"))
	e.callback(back.Query().Get("state"), back.Query().Get("code")).want(t, http.StatusOK)

	list := e.call("GET", "/v1/users/me/oidc-identities", access, nil).want(t, http.StatusOK)
	items, _ := list.body["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["provider"] != "mock" || strings.Contains(list.raw, "sub-linker") {
		t.Fatalf("links = %s", list.raw)
	}
	// Someone else sees none of it and cannot remove it.
	e.register("other@example.org", "Other")
	other, _ := e.login("other@example.org", goodPassword)
	if r := e.call("GET", "/v1/users/me/oidc-identities", other, nil).want(t, http.StatusOK); strings.Contains(r.raw, "mock") {
		t.Fatalf("another user's links = %s", r.raw)
	}
	e.call("DELETE", "/v1/users/me/oidc-identities/mock", other, nil).want(t, http.StatusNotFound)
	e.call("DELETE", "/v1/users/me/oidc-identities/mock", "", nil).want(t, http.StatusUnauthorized)

	// An account the provider made, with an unverified address: its only
	// way in cannot be removed.
	m.QueueUser(&mockoidc.MockUser{Subject: "sub-only", Email: "only@idp.example", EmailVerified: true})
	state, code := e.authorize(t, "", false)
	only := e.callback(state, code).want(t, http.StatusOK).str("access_token")
	r := e.call("DELETE", "/v1/users/me/oidc-identities/mock", only, nil).want(t, http.StatusConflict)
	if !strings.Contains(r.raw, "only way to sign in") {
		t.Fatalf("refusal = %s", r.raw)
	}
	if items, _ := e.call("GET", "/v1/users/me/oidc-identities", only, nil).body["items"].([]any); len(items) != 1 {
		t.Fatal("the refused unlink removed the link")
	}

	// The owner removes their own link; the provider no longer signs them in
	// (a new sign-in with that subject finds the address taken: 409).
	e.call("DELETE", "/v1/users/me/oidc-identities/mock", access, nil).want(t, http.StatusNoContent)
	e.call("DELETE", "/v1/users/me/oidc-identities/mock", access, nil).want(t, http.StatusNotFound)
	if items, _ := e.call("GET", "/v1/users/me/oidc-identities", access, nil).body["items"].([]any); len(items) != 0 {
		t.Fatal("link still listed after unlinking")
	}
}
