package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Suspended and deleted accounts. Identity ends their sessions at once, but
// an access token already issued stays valid until it expires (15 minutes by
// default) and catalog verifies tokens locally. So catalog follows
// identity's events into blocked_users and refuses writes by a blocked
// account (requireActor). What remains is the window between identity's
// change and the event's arrival here: normally well under a second, longer
// while the bus or catalog is down (the event waits in identity's outbox).
// Reads stay open: they are what anonymous callers may do anyway.

// Reasons in blocked_users.
const (
	blockSuspended = "suspended"
	blockDeleted   = "deleted"
)

// userStatusEvent is what catalog reads of identity's user events.
type userStatusEvent struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
}

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

// onUserStatus returns the consumer of an identity event that blocks
// (suspension, deletion) or unblocks (reinstatement) the user.
func (s *Service) onUserStatus(blocked bool, reason string) func(ctx context.Context, tx bun.Tx, e bus.Event) error {
	return func(ctx context.Context, tx bun.Tx, e bus.Event) error {
		var u userStatusEvent
		if err := json.Unmarshal(e.Data, &u); err != nil {
			return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
		}
		if !domain.ValidID(u.ID) {
			return fmt.Errorf("%s %s: payload has no valid id", e.Type, e.ID)
		}
		return s.store.InTx(tx).setBlocked(ctx, u.ID, blocked, reason, u.Version, s.now())
	}
}
