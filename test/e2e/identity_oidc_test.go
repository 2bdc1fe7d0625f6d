package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/alexandria-platform/alexandria/client"
)

// TestIdentityOIDCOnTheBinary signs in through an OpenID provider (mockoidc,
// in this test process) on the real binary: a just-in-time account with the
// roles of the provider's claim, a state that works once, and a provider
// account whose e-mail an account here already has, refused.
func TestIdentityOIDCOnTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary: skipped with -short")
	}
	t.Parallel()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	const callback = "http://alexandria.test/v1/auth/oidc/mock/callback"
	p := start(t, []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_FORMAT=json",
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_ID=mock", "ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_NAME=Mock IdP",
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_ISSUER=" + m.Issuer(),
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_CLIENT_ID=" + m.ClientID, "ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_CLIENT_SECRET=" + m.ClientSecret,
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_REDIRECT_URL=" + callback, "ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_SCOPES=email,profile,groups",
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_ROLES_CLAIM=groups"})
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	hop := func(u string) *url.URL {
		t.Helper()
		res, err := noFollow.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusFound {
			t.Fatalf("GET %s: %d", u, res.StatusCode)
		}
		loc, err := url.Parse(res.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	// signIn runs the browser's part and returns the callback's answer.
	signIn := func(user *mockoidc.MockUser) (int, string, *url.URL) {
		t.Helper()
		m.QueueUser(user)
		back := hop(hop(p.URL + "/v1/auth/oidc/mock/start?response=json").String())
		if !strings.HasPrefix(back.String(), callback) {
			t.Fatalf("provider sent the browser to %s", back)
		}
		res, err := http.Get(p.URL + "/v1/auth/oidc/mock/callback?" + back.RawQuery)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body.AccessToken, back
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	status, token, back := signIn(&mockoidc.MockUser{Subject: "e2e-sub", Email: "sso@idp.example", EmailVerified: true, Groups: []string{"author"}})
	if status != http.StatusOK {
		t.Fatalf("sign-in: %d", status)
	}
	me, err := client.New(p.URL, nil).WithToken(token).Me(ctx)
	if err != nil || me.Email != "sso@idp.example" || len(me.Roles) != 2 {
		t.Fatalf("account: %+v %v", me, err)
	}
	// The same callback again: the state is spent.
	res, err := http.Get(p.URL + "/v1/auth/oidc/mock/callback?" + back.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("replayed callback: %d", res.StatusCode)
	}
	// A browser (the web app's button: no response=json) ends signed in
	// to the web session: the refresh cookie, then a redirect to the app.
	m.QueueUser(&mockoidc.MockUser{Subject: "e2e-sub", Email: "sso@idp.example", EmailVerified: true, Groups: []string{"author"}})
	back = hop(hop(p.URL + "/v1/auth/oidc/mock/start").String())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/v1/auth/oidc/mock/callback?"+back.RawQuery, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	res, err = noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	cookies := map[string]string{}
	for _, c := range res.Cookies() {
		cookies[c.Name] = c.Value
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" || cookies["alx_refresh"] == "" || cookies["alx_csrf"] == "" {
		t.Fatalf("browser callback: %d %v", res.StatusCode, res.Header)
	}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/v1/auth/session/refresh", nil)
	req.Header.Set("Cookie", "alx_refresh="+cookies["alx_refresh"]+"; alx_csrf="+cookies["alx_csrf"])
	req.Header.Set("X-CSRF-Token", cookies["alx_csrf"])
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var session struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&session)
	_ = res.Body.Close()
	if me, err := client.New(p.URL, nil).WithToken(session.AccessToken).Me(ctx); err != nil || me.Email != "sso@idp.example" {
		t.Fatalf("web session after the browser callback: %d %+v %v", res.StatusCode, me, err)
	}
	// The process's log never carries the code or the tokens.
	if logs := p.Log(); strings.Contains(logs, back.Query().Get("code")) || strings.Contains(logs, cookies["alx_refresh"]) ||
		strings.Contains(logs, session.AccessToken) {
		t.Fatal("a code or token reached the server log")
	}
	// No silent takeover of the administrator's account.
	if status, _, _ := signIn(&mockoidc.MockUser{Subject: "e2e-admin", Email: adminEmail, EmailVerified: true, Groups: []string{"admin"}}); status != http.StatusConflict {
		t.Fatalf("provider account with the administrator's e-mail: %d", status)
	}
}
