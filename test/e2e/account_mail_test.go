package e2e

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
)

// Account recovery on the real binary: sign-up mails a verification link
// to the SMTP server run by the test, its token verifies the address; a
// password reset mails a link whose token sets a new password and ends the
// old sessions.

var linkToken = regexp.MustCompile(`(/verify-email|/reset-password)\?token=([A-Za-z0-9_-]+)`)

// mailedToken finds the link to page in a mail (bodies are quoted-printable)
// and returns its token.
func mailedToken(t *testing.T, msg, page string) string {
	t.Helper()
	plain, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(msg)))
	must(t, err)
	for _, m := range linkToken.FindAllStringSubmatch(string(plain), -1) {
		if m[1] == page {
			if !strings.Contains(string(plain), "http://") {
				t.Fatalf("the link is not absolute:\n%s", plain)
			}
			return m[2]
		}
	}
	t.Fatalf("no %s link in:\n%s", page, plain)
	return ""
}

func TestAccountRecoveryJourney(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	smtp := startMailSink(t)
	d := single(t, []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_FORMAT=json",
		"ALEXANDRIA_NOTIFY_SMTP_URL=smtp://" + smtp.addr, "ALEXANDRIA_NOTIFY_POLL_INTERVAL=50ms"})
	base := d.URL()
	anon := client.New(base, nil)
	const email = "recover@example.org"
	_, err := anon.Register(ctx, email, passwordOf(email), "Recover")
	must(t, err)

	// Sign-up → the verification mail → its token verifies the address.
	msg := smtp.await(t, email, "Confirm your e-mail address")
	if !strings.Contains(msg, "text/plain") || !strings.Contains(msg, "text/html") || strings.Contains(msg, "List-Unsubscribe") {
		t.Fatalf("verification mail:\n%s", msg)
	}
	verify := mailedToken(t, msg, "/verify-email")
	tok, err := anon.Login(ctx, email, passwordOf(email))
	must(t, err)
	bearer := "Bearer " + tok.AccessToken
	if s, me := engagementJSON(t, "GET", base+"/v1/users/me", bearer, ""); s != 200 || me["email_verified"] != false {
		t.Fatalf("before verifying: %d %v", s, me)
	}
	if s, body := engagementJSON(t, "POST", base+"/v1/users/me/email/verify", bearer, `{"token":"`+verify+`"}`); s != http.StatusNoContent {
		t.Fatalf("verify: %d %v", s, body)
	}
	if s, me := engagementJSON(t, "GET", base+"/v1/users/me", bearer, ""); s != 200 || me["email_verified"] != true {
		t.Fatalf("after verifying: %d %v", s, me)
	}
	if s, body := engagementJSON(t, "POST", base+"/v1/users/me/email/verify", bearer, `{"token":"`+verify+`"}`); s != http.StatusGone {
		t.Fatalf("verify again: %d %v", s, body)
	}

	// Password reset: an unknown address is answered alike; the account's
	// mail carries the token.
	if s, _ := engagementJSON(t, "POST", base+"/v1/auth/password-reset", "", `{"email":"nobody@example.org"}`); s != http.StatusAccepted {
		t.Fatalf("reset for an unknown address: %d", s)
	}
	if s, body := engagementJSON(t, "POST", base+"/v1/auth/password-reset", "", `{"email":"`+email+`"}`); s != http.StatusAccepted {
		t.Fatalf("reset: %d %v", s, body)
	}
	reset := mailedToken(t, smtp.await(t, email, "Reset your Alexandria password"), "/reset-password")
	const next = "a completely new pass phrase 42"
	if s, body := engagementJSON(t, "POST", base+"/v1/auth/password-reset/confirm", "",
		`{"token":"`+reset+`","new_password":"`+next+`"}`); s != http.StatusNoContent {
		t.Fatalf("confirm: %d %v", s, body)
	}
	if _, err := anon.Login(ctx, email, passwordOf(email)); err == nil {
		t.Fatal("the old password still signs in")
	}
	if _, err := anon.Login(ctx, email, next); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	if s, _ := engagementJSON(t, "POST", base+"/v1/auth/refresh", "", `{"refresh_token":"`+tok.RefreshToken+`"}`); s != http.StatusUnauthorized {
		t.Fatalf("the old refresh token: %d, want 401", s)
	}
	if s, _ := engagementJSON(t, "GET", base+"/v1/users/me", bearer, ""); s != http.StatusUnauthorized {
		t.Fatalf("the old access token: %d, want 401", s)
	}
	if s, body := engagementJSON(t, "POST", base+"/v1/auth/password-reset/confirm", "",
		`{"token":"`+reset+`","new_password":"`+next+` again"}`); s != http.StatusGone {
		t.Fatalf("the reset link twice: %d %v", s, body)
	}
}
