package notify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
)

func (c *api) mails() []string {
	files, _ := filepath.Glob(filepath.Join(c.h.Deps.DataDir, "notify-mail", "*.eml"))
	out := make([]string, 0, len(files))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		out = append(out, string(b))
	}
	return out
}

func (c *api) pendingEmails(t *testing.T) int {
	var n []int
	if err := c.svc.db.NewRaw("SELECT COUNT(*) FROM deliveries WHERE channel = 'email' AND state = 'pending'").Scan(t.Context(), &n); err != nil {
		t.Fatal(err)
	}
	return n[0]
}

// TestDigestBatching: with a daily digest, two notifications wait and go
// out as one mail at the digest time.
func TestDigestBatching(t *testing.T) {
	forEachServer(t, nil, func(t *testing.T, c *api) {
		member := c.user()
		c.publish("identity", eventUserRegistered, member, map[string]any{"id": member, "email": "digest@example.test", "display_name": "D", "version": 1})
		c.expect(200, "PUT", "/v1/users/me/notification-preferences", member, map[string]any{"preferences": []any{}, "email_digest": "daily", "time_zone": "Europe/Paris"})
		first, second := uuid.NewString(), uuid.NewString()
		for _, a := range []string{first, second} {
			c.publish("catalog", eventMemberAdded, a, map[string]any{"author_id": a, "user_id": member, "role": "owner"})
		}
		eventually(t, "both notifications held for the digest", func() bool {
			var n []int
			_ = c.svc.db.NewRaw("SELECT COUNT(*) FROM deliveries WHERE next_at > created_at AND attempts = 0").Scan(t.Context(), &n)
			return len(n) == 1 && n[0] == 2
		})
		if m := c.mails(); len(m) != 0 {
			t.Fatalf("mails before the digest time: %d", len(m))
		}
		c.svc.skew.Store(int64(25 * time.Hour))
		c.svc.wakeDelivery()
		eventually(t, "one digest mail", func() bool { return len(c.mails()) == 1 && c.pendingEmails(t) == 0 })
		m := c.mails()
		if len(m) != 1 || !strings.Contains(m[0], "digest: 2 new") || strings.Count(m[0], "/authors/") < 2 {
			t.Fatalf("digest mails: %v", m)
		}
	})
}

// TestQuietHours: a mail due in the quiet window waits for its end.
func TestQuietHours(t *testing.T) {
	forEachServer(t, nil, func(t *testing.T, c *api) {
		member := c.user()
		now := time.Now().UTC()
		start, end := now.Add(-time.Hour).Format("15:04"), now.Add(time.Hour).Format("15:04")
		c.publish("identity", eventUserRegistered, member, map[string]any{"id": member, "email": "quiet@example.test", "display_name": "Q", "version": 1})
		r := c.expect(200, "PUT", "/v1/users/me/notification-preferences", member, map[string]any{"preferences": []any{},
			"quiet_hours": map[string]any{"start": start, "end": end}})
		if qh, _ := r.body["quiet_hours"].(map[string]any); qh["start"] != start {
			t.Fatalf("quiet hours not stored: %s", r.raw)
		}
		c.expect(422, "PUT", "/v1/users/me/notification-preferences", member, map[string]any{"preferences": []any{},
			"quiet_hours": map[string]any{"start": "25:00", "end": "07:00"}, "time_zone": "Mars/Olympus"})
		a := uuid.NewString()
		c.publish("catalog", eventMemberAdded, a, map[string]any{"author_id": a, "user_id": member, "role": "owner"})
		eventually(t, "the mail held", func() bool {
			var n []int
			_ = c.svc.db.NewRaw("SELECT COUNT(*) FROM deliveries WHERE next_at > created_at AND attempts = 0").Scan(t.Context(), &n)
			return len(n) == 1 && n[0] == 1
		})
		if len(c.mails()) != 0 {
			t.Fatal("mail sent in quiet hours")
		}
		c.svc.skew.Store(int64(90 * time.Minute))
		c.svc.wakeDelivery()
		eventually(t, "the mail after quiet hours", func() bool { return len(c.mails()) == 1 })
	})
}

func TestSettingsClock(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	m := func(h int) *int { v := h * 60; return &v }
	night := domain.Settings{QuietStart: m(22), QuietEnd: m(7), TimeZone: "UTC"}
	if got := night.QuietUntil(at("2026-12-02T23:30:00Z")); !got.Equal(at("2026-12-03T07:00:00Z")) {
		t.Errorf("23:30 in 22–07: %s", got)
	}
	if got := night.QuietUntil(at("2026-12-02T03:00:00Z")); !got.Equal(at("2026-12-02T07:00:00Z")) {
		t.Errorf("03:00 in 22–07: %s", got)
	}
	if got := night.QuietUntil(at("2026-12-02T12:00:00Z")); !got.Equal(at("2026-12-02T12:00:00Z")) {
		t.Errorf("noon outside 22–07: %s", got)
	}
	weekly := domain.Settings{Digest: domain.DigestWeekly, TimeZone: "UTC"}
	if got := weekly.NextDigest(at("2026-12-02T09:00:00Z")); !got.Equal(at("2026-12-07T08:00:00Z")) { // a Wednesday → Monday
		t.Errorf("weekly: %s", got)
	}
	daily := domain.Settings{Digest: domain.DigestDaily, TimeZone: "Europe/Paris"}
	if got := daily.NextDigest(at("2026-12-02T06:00:00Z")); !got.Equal(at("2026-12-02T07:00:00Z")) { // 08:00 CET
		t.Errorf("daily Paris: %s", got)
	}
}
