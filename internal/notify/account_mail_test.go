package notify

import (
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestAccountMails: identity's verification and reset requests are mailed
// at once through SMTP, text and HTML, without List-Unsubscribe, despite a
// daily digest and quiet hours; a redelivered event sends nothing more;
// the stored bodies (with the secret link) are blanked once sent; a link
// already expired is not mailed.
func TestAccountMails(t *testing.T) {
	srv := newSMTPServer(t)
	forEachServer(t, func(c *Config) { c.SMTPURL = "smtp://" + srv.addr }, func(t *testing.T, c *api) {
		member := c.user()
		addr := "acct-" + member[:8] + "@example.test"
		now := time.Now().UTC()
		c.publish("identity", eventUserRegistered, member, map[string]any{"id": member, "email": addr, "display_name": "Ada", "version": 1})
		c.expect(200, "PUT", "/v1/users/me/notification-preferences", member, map[string]any{"preferences": []any{},
			"email_digest": "daily", "quiet_hours": map[string]any{"start": now.Add(-time.Hour).Format("15:04"), "end": now.Add(time.Hour).Format("15:04")}})

		link := "http://alexandria.test/verify-email?token=" + strings.Repeat("v", 43)
		data := map[string]any{"user_id": member, "email": addr, "display_name": "Ada", "url": link, "expires_at": now.Add(48 * time.Hour)}
		b := mustJSON(t, data)
		id := uuid.Must(uuid.NewV7()).String()
		c.publishID(id, "identity", eventVerificationRequested, member, b)
		msg := unQP(t, srv.await(t, addr))
		for _, want := range []string{"Confirm your e-mail address", "text/plain", "text/html", "Hello Ada", strings.Repeat("v", 43)} {
			if !strings.Contains(msg, want) {
				t.Fatalf("mail lacks %q:\n%s", want, msg)
			}
		}
		if strings.Contains(msg, "List-Unsubscribe") {
			t.Fatalf("a transactional mail has List-Unsubscribe:\n%s", msg)
		}
		eventually(t, "the mail recorded as sent, its bodies blanked", func() bool {
			var rows []accountMail
			_ = c.svc.db.NewRaw("SELECT id, user_id, kind, to_addr, subject, text_body, html_body, state, attempts, next_at, expires_at, created_at FROM account_mails").Scan(t.Context(), &rows)
			return len(rows) == 1 && rows[0].State == stateSent && rows[0].Text == "" && rows[0].HTML == "" && rows[0].Kind == kindVerify
		})

		// The same event again (the bus redelivers): nothing more is sent.
		srv.forget(addr)
		c.publishID(id, "identity", eventVerificationRequested, member, b)
		// A reset request goes out too, while the redelivery stays silent.
		reset := map[string]any{"user_id": member, "email": addr, "display_name": "Ada",
			"url": "http://alexandria.test/reset-password?token=" + strings.Repeat("r", 43), "expires_at": now.Add(time.Hour)}
		c.publish("identity", eventPasswordResetRequested, member, reset)
		msg = unQP(t, srv.await(t, addr))
		if !strings.Contains(msg, "Reset your Alexandria password") || !strings.Contains(msg, strings.Repeat("r", 43)) {
			t.Fatalf("reset mail:\n%s", msg)
		}
		var n []int
		eventually(t, "two account mails sent", func() bool {
			_ = c.svc.db.NewRaw("SELECT COUNT(*) FROM account_mails WHERE state = ?", stateSent).Scan(t.Context(), &n)
			return n[0] == 2
		})
		if got := srv.count(addr); got != 1 {
			t.Fatalf("%d mails after the redelivery and the reset, want 1", got)
		}

		// Expired before it could be sent: not mailed.
		late := "late-" + member[:8] + "@example.test"
		c.publish("identity", eventVerificationRequested, member, map[string]any{"user_id": member, "email": late, "display_name": "Ada",
			"url": "http://alexandria.test/verify-email?token=old", "expires_at": now.Add(-time.Minute)})
		eventually(t, "the late mail expired", func() bool {
			_ = c.svc.db.NewRaw("SELECT COUNT(*) FROM account_mails WHERE state = ? AND text_body = ''", stateExpired).Scan(t.Context(), &n)
			return n[0] == 1
		})
		if srv.count(late) != 0 {
			t.Fatal("an expired link was mailed")
		}
	})
}

// unQP undoes the quoted-printable encoding of the bodies (the headers are
// plain ASCII and stay as they are).
func unQP(t *testing.T, msg string) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(msg)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
