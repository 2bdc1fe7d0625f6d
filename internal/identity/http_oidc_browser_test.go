package identity

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"
)

// startBrowser starts a browser sign-in at provider and follows the
// provider's redirect (the mock signs the queued user in at once); it
// returns the callback's query.
func (e *env) startBrowser(t *testing.T, provider string) url.Values {
	t.Helper()
	res, err := noRedirects.Get(e.url + "/v1/auth/oidc/" + provider + "/start")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("start: %d", res.StatusCode)
	}
	res, err = noRedirects.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("provider answered %d %s", res.StatusCode, back)
	}
	return back.Query()
}

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// navigate is a browser's GET of path, not following the redirect.
func (e *env) navigate(t *testing.T, path string) resp {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.url+path, nil)
	req.Header.Set("Accept", browserAccept)
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, raw: string(raw)}
}

func TestOIDCBrowserCallbackEndsInAWebSession(t *testing.T) {
	t.Parallel()
	e, m := oidcEnv(t, nil)

	t.Run("signed_in_with_the_web_cookies", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-web", Email: "web@idp.example", EmailVerified: true})
		q := e.startBrowser(t, "mock")
		r := e.navigate(t, "/v1/auth/oidc/mock/callback?"+q.Encode()).want(t, http.StatusSeeOther)
		if r.header.Get("Location") != "/" || r.header.Get("Referrer-Policy") != "no-referrer" || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("callback headers %v", r.header)
		}
		if r.raw != "" || strings.Contains(r.header.Get("Location"), "token") {
			t.Fatalf("a browser callback leaks tokens: %q %v", r.raw, r.header)
		}
		c := cookiesOf(r)
		if c["alx_refresh"] == nil || !c["alx_refresh"].HttpOnly || c["alx_refresh"].Path != "/v1/auth/session" || c["alx_csrf"] == nil {
			t.Fatalf("cookies %v", r.header.Values("Set-Cookie"))
		}
		// The web app restores the session from the cookie, as after a
		// password sign-in.
		ref := e.call("POST", "/v1/auth/session/refresh", "", nil, "Cookie", cookieHeader(c["alx_refresh"].Value, c["alx_csrf"].Value),
			"X-CSRF-Token", c["alx_csrf"].Value).want(t, http.StatusOK)
		if got := e.call("GET", "/v1/users/me", ref.str("access_token"), nil).want(t, http.StatusOK).str("email"); got != "web@idp.example" {
			t.Fatalf("signed in as %q", got)
		}
		// The state is spent: the same callback again ends on the web
		// app's error page, without cookies.
		again := e.navigate(t, "/v1/auth/oidc/mock/callback?"+q.Encode()).want(t, http.StatusSeeOther)
		if !strings.HasPrefix(again.header.Get("Location"), "/auth/callback#error=") || len(again.header.Values("Set-Cookie")) != 0 {
			t.Fatalf("replay = %v", again.header)
		}
	})

	t.Run("failures_go_to_the_web_error_page", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-unv2", Email: "unv2@idp.example", EmailVerified: false})
		q := e.startBrowser(t, "mock")
		r := e.navigate(t, "/v1/auth/oidc/mock/callback?"+q.Encode()).want(t, http.StatusSeeOther)
		loc := r.header.Get("Location")
		msg, _ := url.QueryUnescape(strings.TrimPrefix(loc, "/auth/callback#error="))
		if !strings.HasPrefix(loc, "/auth/callback#error=") || !strings.Contains(msg, "email") {
			t.Fatalf("Location %q", loc)
		}
		// A wrong state from an API client stays problem+json.
		e.call("GET", "/v1/auth/oidc/mock/callback?state=forged&code=x", "", nil).want(t, http.StatusUnauthorized)
	})

	t.Run("bad_response_mode_names_the_field", func(t *testing.T) {
		r := e.call("GET", "/v1/auth/oidc/mock/start?response=html", "", nil).want(t, http.StatusUnprocessableEntity)
		if !strings.Contains(strings.Join(r.fieldErrors(), " "), "response") {
			t.Fatalf("errors = %s", r.raw)
		}
	})
}

func TestOIDCSeveralProviders(t *testing.T) {
	t.Parallel()
	second, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Shutdown() })
	e, m := oidcEnv(t, func(c *Config) {
		c.OIDC.Providers[0].AllowedDomains = []string{"idp.example"}
		c.OIDC.Providers = append(c.OIDC.Providers, OIDCConfig{ID: "staff", Name: "Staff directory", Issuer: second.Issuer(),
			ClientID: second.ClientID, ClientSecret: second.ClientSecret, RedirectURL: "http://alexandria.test/v1/auth/oidc/staff/callback",
			Scopes: []string{"email", "groups"}, RolesClaim: "groups", RoleMapping: []string{"library-staff=moderator", "writers=author"}})
	})

	r := e.call("GET", "/v1/auth/oidc/providers", "", nil).want(t, http.StatusOK)
	if !strings.Contains(r.raw, `{"id":"mock","name":"Mock IdP"},{"id":"staff","name":"Staff directory"}`) {
		t.Fatalf("providers = %s", r.raw)
	}

	t.Run("roles_through_the_mapping", func(t *testing.T) {
		second.QueueUser(&mockoidc.MockUser{Subject: "s-1", Email: "lib@staff.example", EmailVerified: true,
			Groups: []string{"library-staff", "admin", "writers"}})
		q := e.startBrowserJSON(t, "staff")
		tok := e.call("GET", "/v1/auth/oidc/staff/callback?"+q.Encode(), "", nil).want(t, http.StatusOK).str("access_token")
		me := e.call("GET", "/v1/users/me", tok, nil).want(t, http.StatusOK)
		// "admin" is not in the mapping, so it gives nothing.
		if roles, _ := me.body["roles"].([]any); len(roles) != 3 || roles[1] != "author" || roles[2] != "moderator" {
			t.Fatalf("roles = %s", me.raw)
		}
	})

	t.Run("allowed_domains", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "out-1", Email: "eve@elsewhere.example", EmailVerified: true})
		q := e.startBrowserJSON(t, "mock")
		e.call("GET", "/v1/auth/oidc/mock/callback?"+q.Encode(), "", nil).want(t, http.StatusForbidden)
		m.QueueUser(&mockoidc.MockUser{Subject: "in-1", Email: "bo@idp.example", EmailVerified: true})
		q = e.startBrowserJSON(t, "mock")
		e.call("GET", "/v1/auth/oidc/mock/callback?"+q.Encode(), "", nil).want(t, http.StatusOK)
	})

	t.Run("a_state_is_bound_to_its_provider", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "in-2", Email: "cy@idp.example", EmailVerified: true})
		q := e.startBrowserJSON(t, "mock")
		e.call("GET", "/v1/auth/oidc/staff/callback?"+q.Encode(), "", nil).want(t, http.StatusUnauthorized)
	})
}

// startBrowserJSON is startBrowser for an API client (response=json).
func (e *env) startBrowserJSON(t *testing.T, provider string) url.Values {
	t.Helper()
	res, err := noRedirects.Get(e.url + "/v1/auth/oidc/" + provider + "/start?response=json")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	res, err = noRedirects.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("provider answered %d %s", res.StatusCode, back)
	}
	return back.Query()
}

func TestOIDCConfigIsValidated(t *testing.T) {
	t.Parallel()
	base := func() Config {
		c := DefaultConfig()
		c.OIDC.Providers = []OIDCConfig{{ID: "kc", Issuer: "https://idp.example/realms/a", ClientID: "alexandria"}}
		return c
	}
	if err := base().Validate(); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		tune func(*Config)
		want string
	}{
		"duplicate_id": {func(c *Config) { c.OIDC.Providers = append(c.OIDC.Providers, c.OIDC.Providers[0]) }, "identity.oidc.providers.1.id"},
		"bad_id":       {func(c *Config) { c.OIDC.Providers[0].ID = "Key Cloak" }, "identity.oidc.providers.0.id"},
		"no_issuer":    {func(c *Config) { c.OIDC.Providers[0].Issuer = "" }, "identity.oidc.providers.0.issuer"},
		"bad_mapping": {func(c *Config) {
			c.OIDC.Providers[0].RolesClaim, c.OIDC.Providers[0].RoleMapping = "g", []string{"x=root"}
		}, "identity.oidc.providers.0.role_mapping"},
		"bad_domain":    {func(c *Config) { c.OIDC.Providers[0].AllowedDomains = []string{"@example.org"} }, "identity.oidc.providers.0.allowed_domains"},
		"no_providers":  {func(c *Config) { c.OIDC.Providers, c.DisablePasswords = nil, true }, "identity.disable_passwords"},
		"bad_totp_keys": {func(c *Config) { c.TOTPEncryptionKeys = "k1:short" }, "identity.totp_encryption_keys"},
	} {
		t.Run(name, func(t *testing.T) {
			c := base()
			tc.tune(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want a complaint about %s", err, tc.want)
			}
		})
	}
}
