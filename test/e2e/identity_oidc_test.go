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
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDER=mock", "ALEXANDRIA_IDENTITY_OIDC_ISSUER=" + m.Issuer(),
		"ALEXANDRIA_IDENTITY_OIDC_CLIENT_ID=" + m.ClientID, "ALEXANDRIA_IDENTITY_OIDC_CLIENT_SECRET=" + m.ClientSecret,
		"ALEXANDRIA_IDENTITY_OIDC_REDIRECT_URL=" + callback, "ALEXANDRIA_IDENTITY_OIDC_SCOPES=email,profile,groups",
		"ALEXANDRIA_IDENTITY_OIDC_ROLES_CLAIM=groups"})
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
		back := hop(hop(p.URL + "/v1/auth/oidc/mock/start").String())
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
	// No silent takeover of the administrator's account.
	if status, _, _ := signIn(&mockoidc.MockUser{Subject: "e2e-admin", Email: adminEmail, EmailVerified: true, Groups: []string{"admin"}}); status != http.StatusConflict {
		t.Fatalf("provider account with the administrator's e-mail: %d", status)
	}
}
