package identity

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// authenticator is the app on the user's phone.
func authenticator(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enroll sets up TOTP for the holder of access and returns the secret and
// the recovery codes; the confirming code is the one of the current step.
func (e *env) enroll(t *testing.T, access string) (string, []string) {
	t.Helper()
	r := e.call("POST", "/v1/users/me/totp", access, nil).want(t, http.StatusCreated)
	secret := r.str("secret")
	if secret == "" || r.str("otpauth_url") == "" {
		t.Fatalf("enrollment = %s", r.raw)
	}
	e.call("POST", "/v1/users/me/totp/confirm", access, map[string]any{"code": "000000x"}).want(t, http.StatusUnprocessableEntity)
	r = e.call("POST", "/v1/users/me/totp/confirm", access, map[string]any{"code": authenticator(t, secret, time.Now())}).want(t, http.StatusOK)
	var codes []string
	list, _ := r.body["recovery_codes"].([]any)
	for _, c := range list {
		s, _ := c.(string)
		codes = append(codes, s)
	}
	if len(codes) != recoveryCodeCount {
		t.Fatalf("recovery codes = %s", r.raw)
	}
	return secret, codes
}

func TestHTTPSecondFactor(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			e.register("fay@example.org", "Fay")
			access, _ := e.login("fay@example.org", goodPassword)
			secret, codes := e.enroll(t, access)
			e.call("POST", "/v1/users/me/totp", access, nil).want(t, http.StatusConflict)

			signIn := func(otp string) resp {
				body := map[string]any{"email": "fay@example.org", "password": goodPassword}
				if otp != "" {
					body["otp"] = otp
				}
				return e.call("POST", "/v1/auth/token", "", body)
			}
			// The password alone is no longer enough, and says what is missing.
			r := signIn("").want(t, http.StatusUnauthorized)
			if !slices.Contains(r.fieldErrors(), "otp") {
				t.Fatalf("missing second factor: %s", r.raw)
			}
			signIn("123456").want(t, http.StatusUnauthorized)
			// A wrong password with a right code is still a wrong password.
			next := authenticator(t, secret, time.Now().Add(totpPeriod*time.Second))
			e.call("POST", "/v1/auth/token", "", map[string]any{"email": "fay@example.org", "password": "wrong-" + goodPassword, "otp": next}).
				want(t, http.StatusUnauthorized)
			signIn(next).want(t, http.StatusOK)
			// A code works once.
			signIn(next).want(t, http.StatusUnauthorized)

			// A recovery code works once, typed as the user likes.
			signIn(" "+codes[0]+" ").want(t, http.StatusOK)
			signIn(codes[0]).want(t, http.StatusUnauthorized)
			r = e.call("GET", "/v1/users/me/second-factor", access, nil).want(t, http.StatusOK)
			if r.body["totp"] != true || r.body["recovery_codes_left"] != float64(recoveryCodeCount-1) {
				t.Fatalf("status = %s", r.raw)
			}

			// Someone else's session cannot turn it off; a wrong code neither.
			e.register("gus@example.org", "Gus")
			gus, _ := e.login("gus@example.org", goodPassword)
			e.call("POST", "/v1/users/me/totp/disable", gus, map[string]any{"code": codes[1]}).want(t, http.StatusUnprocessableEntity)
			e.call("POST", "/v1/users/me/totp/disable", access, map[string]any{"code": "nope-nope"}).want(t, http.StatusUnprocessableEntity)
			e.call("POST", "/v1/users/me/totp/disable", access, map[string]any{"code": codes[1]}).want(t, http.StatusNoContent)
			signIn("").want(t, http.StatusOK)
			r = e.call("GET", "/v1/users/me/second-factor", access, nil).want(t, http.StatusOK)
			if r.body["totp"] != false {
				t.Fatalf("status after disabling = %s", r.raw)
			}
		})
	}
}

func TestSecondFactorPolicyForStaff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], func(c *Config) { c.RequireSecondFactorForStaff = true })
	verifier := auth.NewVerifier(e.svc.KeySource())
	roles := func(access string) auth.Principal {
		t.Helper()
		p, err := verifier.Verify(context.Background(), access)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	root := e.adminToken()
	if roles(root).Has(auth.RoleAdmin) {
		t.Fatal("an administrator without a second factor acts as one")
	}
	e.call("GET", "/v1/users", root, nil).want(t, http.StatusForbidden)

	id := e.register("mod@example.org", "Mod")
	// The first administrator sets up a second factor, signs in with it,
	// and may administer again.
	secret, _ := e.enroll(t, root)
	admin := e.call("POST", "/v1/auth/token", "", map[string]any{"email": testAdminEmail, "password": testAdminPassword,
		"otp": authenticator(t, secret, time.Now().Add(totpPeriod*time.Second))}).want(t, http.StatusOK)
	adminAccess, adminRefresh := admin.str("access_token"), admin.str("refresh_token")
	if !roles(adminAccess).IsAdmin() {
		t.Fatal("an administrator who passed a second factor is not one")
	}
	e.call("PATCH", "/v1/users/"+id, adminAccess, map[string]any{"roles": []string{"reader", "moderator"}}).want(t, http.StatusOK)
	// The session keeps what its sign-in proved.
	refreshed := e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": adminRefresh}).want(t, http.StatusOK)
	if !roles(refreshed.str("access_token")).IsAdmin() {
		t.Fatal("refreshing lost the administrator role")
	}

	mod, modRefresh := e.login("mod@example.org", goodPassword)
	if p := roles(mod); p.Has(auth.RoleModerator) || !p.Has(auth.RoleReader) {
		t.Fatalf("a moderator without a second factor: %+v", p)
	}
	refreshed = e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": modRefresh}).want(t, http.StatusOK)
	if roles(refreshed.str("access_token")).Has(auth.RoleModerator) {
		t.Fatal("refreshing a session without a second factor gave the moderator role")
	}
	// Readers are not affected.
	e.register("reader@example.org", "Reader")
	reader, _ := e.login("reader@example.org", goodPassword)
	if !roles(reader).Has(auth.RoleReader) {
		t.Fatal("a reader lost their role")
	}
}
