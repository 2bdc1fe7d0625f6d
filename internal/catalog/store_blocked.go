package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// blocked_users: the accounts identity suspended or deleted (consume_users.go).

// Blocked reports whether userID may not write (suspended or deleted).
func (s *Store) Blocked(ctx context.Context, userID string) (bool, error) {
	if !domain.ValidID(userID) {
		return false, nil
	}
	n, err := s.idb.NewSelect().TableExpr("blocked_users").Where("user_id = ? AND blocked = ?", userID, true).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("check blocked user: %w", err)
	}
	return n > 0, nil
}

// setBlocked records the user's state as of version. A state older than
// the one recorded, or anything after a deletion, changes nothing, so
// events may arrive twice or out of order.
func (s *Store) setBlocked(ctx context.Context, userID string, blocked bool, reason string, version int64, now time.Time) error {
	_, err := s.idb.ExecContext(ctx, `INSERT INTO blocked_users (user_id, blocked, reason, version, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET blocked = EXCLUDED.blocked, reason = EXCLUDED.reason,
			version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
		WHERE blocked_users.reason <> ? AND (EXCLUDED.reason = ? OR blocked_users.version < EXCLUDED.version)`,
		userID, blocked, reason, version, now, blockDeleted, blockDeleted)
	if err != nil {
		return fmt.Errorf("record blocked user %s: %w", userID, err)
	}
	return nil
}
