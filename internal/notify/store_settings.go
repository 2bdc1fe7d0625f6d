package notify

import (
	"context"
	"time"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
)

func (s *Store) settings(ctx context.Context, userID string) (domain.Settings, error) {
	var rows []struct {
		Digest     string `bun:"digest"`
		QuietStart *int   `bun:"quiet_start"`
		QuietEnd   *int   `bun:"quiet_end"`
		TimeZone   string `bun:"time_zone"`
	}
	if err := s.idb.NewRaw("SELECT digest, quiet_start, quiet_end, time_zone FROM user_settings WHERE user_id = ?", userID).Scan(ctx, &rows); err != nil {
		return domain.Settings{}, err
	}
	if len(rows) == 0 {
		return domain.Settings{Digest: domain.DigestOff, TimeZone: "UTC"}, nil
	}
	r := rows[0]
	return domain.Settings{Digest: r.Digest, QuietStart: r.QuietStart, QuietEnd: r.QuietEnd, TimeZone: r.TimeZone}, nil
}

func (s *Store) putSettings(ctx context.Context, userID string, st domain.Settings) error {
	_, err := s.exec(ctx, `INSERT INTO user_settings (user_id, digest, quiet_start, quiet_end, time_zone) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest, quiet_start = excluded.quiet_start,
		quiet_end = excluded.quiet_end, time_zone = excluded.time_zone`, userID, st.Digest, st.QuietStart, st.QuietEnd, st.TimeZone)
	return err
}

// postpone puts a claimed delivery back, due at next, without counting
// the claim as an attempt.
func (s *Store) postpone(ctx context.Context, id string, next time.Time) error {
	_, err := s.exec(ctx, "UPDATE deliveries SET next_at = ?, attempts = attempts - 1 WHERE id = ? AND state = ?", next, id, statePending)
	return err
}

// pendingEmail returns a user's pending e-mail deliveries due by now
// (a digest's content), oldest first.
func (s *Store) pendingEmail(ctx context.Context, userID string, now time.Time, limit int) ([]delivery, error) {
	var out []delivery
	err := s.idb.NewRaw(`SELECT d.id, d.notification_id, d.user_id, d.channel, d.state, d.attempts, d.next_at, d.last_error, d.created_at,
		n.type, n.title, n.body, n.subject
		FROM deliveries d JOIN notifications n ON n.id = d.notification_id
		WHERE d.user_id = ? AND d.channel = 'email' AND d.state = ? AND d.next_at <= ? ORDER BY d.id LIMIT ?`,
		userID, statePending, now, limit).Scan(ctx, &out)
	return out, err
}

// settleDigest marks the deliveries a digest carried as sent.
func (s *Store) settleDigest(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{stateSent, at, at}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.exec(ctx, "UPDATE deliveries SET state = ?, sent_at = ?, next_at = ? WHERE id IN ("+placeholders(len(ids))+")", args...)
	return err
}
