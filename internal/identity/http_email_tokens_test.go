package identity

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// mailRequest reads the one mail request of typ among rows and returns its
// payload and the token in its link.
func mailRequest(t *testing.T, rows []outboxRow, typ, page string) (emailTokenV1, string) {
	t.Helper()
	var found []emailTokenV1
	for _, r := range rows {
		if r.Type != typ {
			continue
		}
		var p emailTokenV1
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		found = append(found, p)
	}
	if len(found) != 1 {
		t.Fatalf("%d %s events, want 1", len(found), typ)
	}
	u, err := url.Parse(found[0].URL)
	if err != nil || u.Path != page {
		t.Fatalf("mailed link %q, want a %s link", found[0].URL, page)
	}
	token := u.Query().Get("token")
	if len(token) < 22 { // 128 bits in base64url
		t.Fatalf("token %q is too short", token)
	}
	return found[0], token
}

func countType(rows []outboxRow, typ string) int {
	n := 0
	for _, r := range rows {
		if r.Type == typ {
			n++
		}
	}
	return n
}

// wantTokenProblem checks a problem naming the token field.
func wantTokenProblem(t *testing.T, r resp, status int) {
	t.Helper()
	r.want(t, status)
	if f := r.fieldErrors(); len(f) != 1 || f[0] != "token" {
		t.Fatalf("problem names %v, want token: %s", f, r.raw)
	}
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("content type %q", r.header.Get("Content-Type"))
	}
}

func TestEmailVerification(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, backend, nil, withBrokerDown)
			o := &outbox{moduletest.Outbox{T: t, DB: e.svc.db}}
			o.next()
			id := e.register("vera@example.org", "Vera")
			req, token := mailRequest(t, o.next(), EventVerificationRequested, "/verify-email")
			if req.UserID != id || req.Email != "vera@example.org" || req.DisplayName != "Vera" || !req.ExpiresAt.After(time.Now().Add(47*time.Hour)) {
				t.Fatalf("mail request %+v", req)
			}
			// Only the hash is stored.
			var n int
			if err := e.svc.db.NewRaw("SELECT COUNT(*) FROM email_tokens WHERE token_hash = ?", token).Scan(context.Background(), &n); err != nil || n != 0 {
				t.Fatalf("raw token stored (%d, %v)", n, err)
			}
			access, _ := e.login("vera@example.org", goodPassword)
			if r := e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusOK); r.body["email_verified"] != false {
				t.Fatalf("new account: %s", r.raw)
			}

			// Asking again mails a new link.
			e.call("POST", "/v1/users/me/email/verify", access, nil).want(t, http.StatusAccepted)
			e.call("POST", "/v1/users/me/email/verify", access, map[string]any{}).want(t, http.StatusAccepted)
			if n := countType(o.next(), EventVerificationRequested); n != 2 {
				t.Fatalf("%d verification mails requested, want 2", n)
			}
			// Without a session: 401.
			e.call("POST", "/v1/users/me/email/verify", "", map[string]any{"token": token}).want(t, http.StatusUnauthorized)

			// Someone else's link does not verify this account.
			e.register("mallory@example.org", "Mallory")
			_, malloryToken := mailRequest(t, o.next(), EventVerificationRequested, "/verify-email")
			wantTokenProblem(t, e.call("POST", "/v1/users/me/email/verify", access, map[string]any{"token": malloryToken}), http.StatusBadRequest)
			wantTokenProblem(t, e.call("POST", "/v1/users/me/email/verify", access, map[string]any{"token": "not-a-token"}), http.StatusBadRequest)

			// A reset token is no verification token.
			e.call("POST", "/v1/auth/password-reset", "", map[string]any{"email": "vera@example.org"}).want(t, http.StatusAccepted)
			_, resetToken := mailRequest(t, o.next(), EventPasswordResetRequested, "/reset-password")
			wantTokenProblem(t, e.call("POST", "/v1/users/me/email/verify", access, map[string]any{"token": resetToken}), http.StatusBadRequest)

			// An expired link.
			e.call("POST", "/v1/users/me/email/verify", access, nil).want(t, http.StatusAccepted)
			_, expired := mailRequest(t, o.next(), EventVerificationRequested, "/verify-email")
			if _, err := e.svc.db.NewUpdate().Model((*emailTokenRow)(nil)).Set("expires_at = ?", ts(time.Now().Add(-time.Minute))).
				Where("token_hash = ?", hashSecret(expired)).Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
			wantTokenProblem(t, e.call("POST", "/v1/users/me/email/verify", access, map[string]any{"token": expired}), http.StatusGone)

			e.call("POST", "/v1/users/me/email/verify", access, map[string]any{"token": token}).want(t, http.StatusNoContent)
			me := e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusOK)
			if me.body["email_verified"] != true {
				t.Fatalf("after verifying: %s", me.raw)
			}
			// Administrators see it too.
			if r := e.call("GET", "/v1/users/"+id, e.adminToken(), nil).want(t, http.StatusOK); r.body["email_verified"] != true {
				t.Fatalf("admin view: %s", r.raw)
			}
			// Single use.
			wantTokenProblem(t, e.call("POST", "/v1/users/me/email/verify", access, map[string]any{"token": token}), http.StatusGone)
			// Verified: asking again sends nothing.
			e.call("POST", "/v1/users/me/email/verify", access, nil).want(t, http.StatusAccepted)
			if n := countType(o.next(), EventVerificationRequested); n != 0 {
				t.Fatalf("verified account got %d more mails", n)
			}
		})
	}
}

func TestVerificationMailsAreLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], nil)
	e.register("eager@example.org", "Eager")
	access, _ := e.login("eager@example.org", goodPassword)
	for range verificationsPerHour {
		e.call("POST", "/v1/users/me/email/verify", access, nil).want(t, http.StatusAccepted)
	}
	r := e.call("POST", "/v1/users/me/email/verify", access, nil).want(t, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, backend, nil, withBrokerDown)
			o := &outbox{moduletest.Outbox{T: t, DB: e.svc.db}}
			id := e.register("rosa@example.org", "Rosa")
			o.next()
			oldAccess, oldRefresh := e.login("rosa@example.org", goodPassword)

			// No enumeration: an unknown address is answered alike.
			unknown := e.call("POST", "/v1/auth/password-reset", "", map[string]any{"email": "nobody@example.org"}).want(t, http.StatusAccepted)
			known := e.call("POST", "/v1/auth/password-reset", "", map[string]any{"email": " ROSA@example.org "}).want(t, http.StatusAccepted)
			if unknown.raw != known.raw {
				t.Fatalf("answers differ: %q vs %q", unknown.raw, known.raw)
			}
			rows := o.next()
			req, token := mailRequest(t, rows, EventPasswordResetRequested, "/reset-password")
			if req.UserID != id || req.Email != "rosa@example.org" || req.ExpiresAt.After(time.Now().Add(61*time.Minute)) {
				t.Fatalf("reset request %+v", req)
			}
			if len(rows) != 1 {
				t.Fatalf("%d events, want only the known account's", len(rows))
			}
			r := e.call("POST", "/v1/auth/password-reset", "", map[string]any{"email": "not an address"}).want(t, http.StatusUnprocessableEntity)
			if f := r.fieldErrors(); len(f) != 1 || f[0] != "email" {
				t.Fatalf("fields %v", f)
			}

			// Per account: the third mail an hour is the last one.
			for range 3 {
				e.call("POST", "/v1/auth/password-reset", "", map[string]any{"email": "rosa@example.org"}).want(t, http.StatusAccepted)
			}
			if n := countType(o.next(), EventPasswordResetRequested); n != 2 {
				t.Fatalf("%d more reset mails, want 2 (3 an hour)", n)
			}

			// The password rules of sign-up.
			r = e.call("POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": token, "new_password": "short"}).
				want(t, http.StatusUnprocessableEntity)
			if f := r.fieldErrors(); len(f) != 1 || f[0] != "new_password" {
				t.Fatalf("fields %v", f)
			}
			wantTokenProblem(t, e.call("POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": "nope", "new_password": "a-Brand-new-phrase-9"}), http.StatusBadRequest)

			// A verification token does not reset a password.
			access, _ := e.login("rosa@example.org", goodPassword)
			e.call("POST", "/v1/users/me/email/verify", access, nil).want(t, http.StatusAccepted)
			_, verifyToken := mailRequest(t, o.next(), EventVerificationRequested, "/verify-email")
			wantTokenProblem(t, e.call("POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": verifyToken, "new_password": "a-Brand-new-phrase-9"}), http.StatusBadRequest)

			const next = "a-Brand-new-phrase-9"
			e.call("POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": token, "new_password": next}).want(t, http.StatusNoContent)
			// Single use.
			wantTokenProblem(t, e.call("POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": token, "new_password": next}), http.StatusGone)

			// Old password refused, new one works, old sessions over.
			e.call("POST", "/v1/auth/token", "", map[string]any{"email": "rosa@example.org", "password": goodPassword}).want(t, http.StatusUnauthorized)
			newAccess, _ := e.login("rosa@example.org", next)
			e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": oldRefresh}).want(t, http.StatusUnauthorized)
			e.call("GET", "/v1/users/me", oldAccess, nil).want(t, http.StatusUnauthorized)
			me := e.call("GET", "/v1/users/me", newAccess, nil).want(t, http.StatusOK)
			if me.body["email_verified"] != true {
				t.Fatalf("a followed reset link proves the address: %s", me.raw)
			}
		})
	}
}

func TestPasswordResetTokensExpire(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, moduletest.Stores(t)[0], func(c *Config) { c.PasswordResetTTL = 5 * time.Minute }, withBrokerDown)
	o := &outbox{moduletest.Outbox{T: t, DB: e.svc.db}}
	e.register("late@example.org", "Late")
	o.next()
	e.call("POST", "/v1/auth/password-reset", "", map[string]any{"email": "late@example.org"}).want(t, http.StatusAccepted)
	req, token := mailRequest(t, o.next(), EventPasswordResetRequested, "/reset-password")
	if d := time.Until(req.ExpiresAt); d > 5*time.Minute || d < 4*time.Minute {
		t.Fatalf("expires in %s, want 5m", d)
	}
	if _, err := e.svc.db.NewUpdate().Model((*emailTokenRow)(nil)).Set("expires_at = ?", ts(time.Now().Add(-time.Second))).
		Where("token_hash = ?", hashSecret(token)).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantTokenProblem(t, e.call("POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": token, "new_password": "a-Brand-new-phrase-9"}), http.StatusGone)
	e.login("late@example.org", goodPassword)
}

func TestPasswordResetLimitPerAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], func(c *Config) { c.PasswordResetRatePerAddress = 2 })
	for range 2 {
		e.call("POST", "/v1/auth/password-reset", "", map[string]any{"email": "x@example.org"}).want(t, http.StatusAccepted)
	}
	r := e.call("POST", "/v1/auth/password-reset", "", map[string]any{"email": "y@example.org"}).want(t, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
}
