package identity

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"slices"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// The browser sign-in (POST /v1/auth/session) takes a passkey as the
// second factor, and its 401 names every way the account can give one.
func TestBrowserSessionTakesAPasskeyAsSecondFactor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], func(c *Config) { c.WebAuthnRPID, c.WebAuthnOrigins = testRPID, []string{testOrigin} })
	id := e.register("ria@example.org", "Ria")
	access, _ := e.login("ria@example.org", goodPassword)
	e.enroll(t, access)
	creds := map[string]any{"email": "ria@example.org", "password": goodPassword}

	// TOTP only: the 401 names otp alone.
	r := e.call("POST", "/v1/auth/session", "", creds).want(t, http.StatusUnauthorized)
	if got := r.fieldErrors(); !slices.Equal(got, []string{"otp"}) {
		t.Fatalf("fields = %v (%s)", got, r.raw)
	}

	dev := newSoftAuthenticator(t)
	ceremony, ch := challengeOf(t, e.call("POST", "/v1/users/me/passkeys/options", access, nil).want(t, http.StatusOK))
	e.call("POST", "/v1/users/me/passkeys", access, map[string]any{"ceremony": ceremony, "name": "Key",
		"credential": dev.create(ch, testOrigin, []byte(id))}).want(t, http.StatusCreated)

	r = e.call("POST", "/v1/auth/session", "", creds).want(t, http.StatusUnauthorized)
	if got := r.fieldErrors(); !slices.Equal(got, []string{"otp", "passkey"}) {
		t.Fatalf("fields = %v (%s)", got, r.raw)
	}
	if len(r.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("cookies before the second factor: %v", r.header.Values("Set-Cookie"))
	}

	with := func(answer map[string]any) map[string]any {
		return map[string]any{"email": "ria@example.org", "password": goodPassword, "passkey": answer}
	}
	// A signature by another key is refused.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ceremony, ch = challengeOf(t, e.call("POST", "/v1/auth/passkey/options", "", nil).want(t, http.StatusOK))
	e.call("POST", "/v1/auth/session", "", with(map[string]any{"ceremony": ceremony, "credential": dev.get(ch, other)})).
		want(t, http.StatusUnauthorized)
	// The device's answer signs in, with the web session's cookies.
	ceremony, ch = challengeOf(t, e.call("POST", "/v1/auth/passkey/options", "", nil).want(t, http.StatusOK))
	answer := dev.get(ch, dev.key)
	ok := e.call("POST", "/v1/auth/session", "", with(map[string]any{"ceremony": ceremony, "credential": answer})).want(t, http.StatusOK)
	if c := cookiesOf(ok); c["alx_refresh"] == nil || ok.str("access_token") == "" {
		t.Fatalf("session = %s %v", ok.raw, ok.header.Values("Set-Cookie"))
	}
	// The same answer again: the ceremony is spent.
	e.call("POST", "/v1/auth/session", "", with(map[string]any{"ceremony": ceremony, "credential": answer})).want(t, http.StatusUnauthorized)
	// A wrong password with a good passkey is still a wrong password.
	ceremony, ch = challengeOf(t, e.call("POST", "/v1/auth/passkey/options", "", nil).want(t, http.StatusOK))
	e.call("POST", "/v1/auth/session", "", map[string]any{"email": "ria@example.org", "password": "not-the-password-1",
		"passkey": map[string]any{"ceremony": ceremony, "credential": dev.get(ch, dev.key)}}).want(t, http.StatusUnauthorized)
}
