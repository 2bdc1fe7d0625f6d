package identity

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// cookiesOf parses the Set-Cookie headers of r by name.
func cookiesOf(r resp) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		out[c.Name] = c
	}
	return out
}

// browserSignIn signs in through the browser session and returns the
// refresh and CSRF cookies' values.
func (e *env) browserSignIn(email, password string) (access, refresh, csrf string) {
	e.t.Helper()
	r := e.call("POST", "/v1/auth/session", "", map[string]any{"email": email, "password": password}).want(e.t, http.StatusOK)
	c := cookiesOf(r)
	if c["alx_refresh"] == nil || c["alx_csrf"] == nil {
		e.t.Fatalf("sign-in set cookies %v", r.header.Values("Set-Cookie"))
	}
	return r.str("access_token"), c["alx_refresh"].Value, c["alx_csrf"].Value
}

func cookieHeader(refresh, csrf string) string {
	return "alx_refresh=" + refresh + "; alx_csrf=" + csrf
}

func TestHTTPBrowserSession(t *testing.T) {
	t.Parallel()
	backend := moduletest.Stores(t)[0] // the flow reuses login/refresh, whose store paths other tests cover on every store
	e := newEnv(t, backend, nil)
	e.register("carol@example.org", "Carol")

	t.Run("sign_in_sets_httponly_strict_cookies_and_returns_no_refresh_token", func(t *testing.T) {
		r := e.call("POST", "/v1/auth/session", "", map[string]any{"email": "carol@example.org", "password": goodPassword},
			"Origin", e.url).want(t, http.StatusOK)
		if r.str("access_token") == "" || strings.Contains(r.raw, "refresh_token") {
			t.Fatalf("body %s", r.raw)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
		}
		c := cookiesOf(r)
		refresh, csrf := c["alx_refresh"], c["alx_csrf"]
		if refresh == nil || !refresh.HttpOnly || refresh.SameSite != http.SameSiteStrictMode || refresh.Path != "/v1/auth/session" ||
			refresh.MaxAge <= 0 || refresh.Secure {
			t.Errorf("refresh cookie %+v", refresh)
		}
		if csrf == nil || csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode || csrf.Path != "/" || len(csrf.Value) < 32 {
			t.Errorf("csrf cookie %+v", csrf)
		}
		e.call("GET", "/v1/users/me", r.str("access_token"), nil).want(t, http.StatusOK)
	})
	t.Run("cookies_are_secure_behind_https", func(t *testing.T) {
		r := e.call("POST", "/v1/auth/session", "", map[string]any{"email": "carol@example.org", "password": goodPassword},
			"X-Forwarded-Proto", "https").want(t, http.StatusOK)
		for name, c := range cookiesOf(r) {
			if !c.Secure {
				t.Errorf("%s not Secure", name)
			}
		}
	})
	t.Run("wrong_password_is_401_without_cookies", func(t *testing.T) {
		r := e.call("POST", "/v1/auth/session", "", map[string]any{"email": "carol@example.org", "password": "wrong-password!"}).
			want(t, http.StatusUnauthorized)
		if len(r.header.Values("Set-Cookie")) != 0 {
			t.Errorf("cookies on failure: %v", r.header.Values("Set-Cookie"))
		}
	})
	t.Run("cross_origin_sign_in_is_refused", func(t *testing.T) {
		r := e.call("POST", "/v1/auth/session", "", map[string]any{"email": "carol@example.org", "password": goodPassword},
			"Origin", "https://evil.example").want(t, http.StatusUnprocessableEntity)
		if !strings.Contains(r.raw, "header.Origin") || len(r.header.Values("Set-Cookie")) != 0 {
			t.Fatalf("%s %v", r.raw, r.header)
		}
	})

	t.Run("refresh_rotates_with_the_csrf_header", func(t *testing.T) {
		_, refresh, csrf := e.browserSignIn("carol@example.org", goodPassword)
		r := e.call("POST", "/v1/auth/session/refresh", "", nil, "Cookie", cookieHeader(refresh, csrf), "X-CSRF-Token", csrf,
			"Origin", e.url, "Sec-Fetch-Site", "same-origin").want(t, http.StatusOK)
		c := cookiesOf(r)
		if c["alx_refresh"] == nil || c["alx_refresh"].Value == refresh || c["alx_csrf"] == nil {
			t.Fatalf("refresh did not rotate: %v", r.header.Values("Set-Cookie"))
		}
		e.call("GET", "/v1/users/me", r.str("access_token"), nil).want(t, http.StatusOK)
		// The spent cookie is refused (and, after the grace, ends the family).
		e.backdateRefreshUse(refresh, time.Minute)
		e.call("POST", "/v1/auth/session/refresh", "", nil, "Cookie", cookieHeader(refresh, csrf), "X-CSRF-Token", csrf).
			want(t, http.StatusUnauthorized)
		next := c["alx_refresh"].Value
		r = e.call("POST", "/v1/auth/session/refresh", "", nil, "Cookie", cookieHeader(next, c["alx_csrf"].Value),
			"X-CSRF-Token", c["alx_csrf"].Value).want(t, http.StatusUnauthorized)
		// A dead session clears the browser's cookies.
		if got := cookiesOf(r); got["alx_refresh"] == nil || got["alx_refresh"].MaxAge >= 0 {
			t.Errorf("dead session did not clear cookies: %v", r.header.Values("Set-Cookie"))
		}
	})
	t.Run("refresh_without_csrf_is_refused", func(t *testing.T) {
		_, refresh, csrf := e.browserSignIn("carol@example.org", goodPassword)
		cases := []struct {
			name    string
			headers []string
			status  int
		}{
			{"no_header", []string{"Cookie", cookieHeader(refresh, csrf)}, http.StatusForbidden},
			{"header_differs_from_cookie", []string{"Cookie", cookieHeader(refresh, csrf), "X-CSRF-Token", csrf + "x"}, http.StatusForbidden},
			{"no_csrf_cookie", []string{"Cookie", "alx_refresh=" + refresh, "X-CSRF-Token", csrf}, http.StatusForbidden},
			{"cross_site_fetch", []string{"Cookie", cookieHeader(refresh, csrf), "X-CSRF-Token", csrf, "Sec-Fetch-Site", "cross-site"}, http.StatusUnprocessableEntity},
			{"other_origin", []string{"Cookie", cookieHeader(refresh, csrf), "X-CSRF-Token", csrf, "Origin", "http://evil.example"}, http.StatusUnprocessableEntity},
		}
		for _, tc := range cases {
			e.call("POST", "/v1/auth/session/refresh", "", nil, tc.headers...).want(t, tc.status)
		}
		// None of the refusals spent the refresh token.
		e.call("POST", "/v1/auth/session/refresh", "", nil, "Cookie", cookieHeader(refresh, csrf), "X-CSRF-Token", csrf).want(t, http.StatusOK)
	})
	t.Run("refresh_without_a_session_is_401", func(t *testing.T) {
		e.call("POST", "/v1/auth/session/refresh", "", nil, "Cookie", "alx_csrf=abc", "X-CSRF-Token", "abc").want(t, http.StatusUnauthorized)
	})
	t.Run("sign_out_ends_the_session_and_clears_cookies", func(t *testing.T) {
		_, refresh, csrf := e.browserSignIn("carol@example.org", goodPassword)
		e.call("DELETE", "/v1/auth/session", "", nil, "Cookie", cookieHeader(refresh, csrf)).want(t, http.StatusForbidden)
		r := e.call("DELETE", "/v1/auth/session", "", nil, "Cookie", cookieHeader(refresh, csrf), "X-CSRF-Token", csrf).
			want(t, http.StatusNoContent)
		for _, name := range []string{"alx_refresh", "alx_csrf"} {
			if c := cookiesOf(r)[name]; c == nil || c.MaxAge >= 0 {
				t.Errorf("%s not cleared: %v", name, r.header.Values("Set-Cookie"))
			}
		}
		e.call("POST", "/v1/auth/session/refresh", "", nil, "Cookie", cookieHeader(refresh, csrf), "X-CSRF-Token", csrf).
			want(t, http.StatusUnauthorized)
		// Signing out twice is fine.
		e.call("DELETE", "/v1/auth/session", "", nil, "Cookie", cookieHeader(refresh, csrf), "X-CSRF-Token", csrf).want(t, http.StatusNoContent)
	})
}

func TestHTTPBrowserSessionIsThrottledLikeTokenSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], func(c *Config) { c.LoginMaxFailures = 2; c.LoginFailureWindow = time.Minute })
	e.register("dan@example.org", "Dan")
	for range 2 {
		e.call("POST", "/v1/auth/session", "", map[string]any{"email": "dan@example.org", "password": "wrong-password!"}).want(t, http.StatusUnauthorized)
	}
	// The failures count for both sign-in endpoints: they share one limiter.
	e.call("POST", "/v1/auth/token", "", map[string]any{"email": "dan@example.org", "password": goodPassword}).want(t, http.StatusTooManyRequests)
	e.call("POST", "/v1/auth/session", "", map[string]any{"email": "dan@example.org", "password": goodPassword}).want(t, http.StatusTooManyRequests)
}
