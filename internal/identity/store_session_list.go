package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// sessionRow is what a user sees of a sign-in session.
type sessionRow struct {
	bun.BaseModel `bun:"table:sessions,alias:sr"`

	ID      string `bun:"id,pk"`
	UserID  string `bun:"user_id"`
	Device  string `bun:"device"`
	Address string `bun:"address"`
	Method  string `bun:"method"`
	// SecondFactor: the sign-in passed a second factor.
	SecondFactor bool      `bun:"second_factor"`
	CreatedAt    time.Time `bun:"created_at"`
	LastUsedAt   time.Time `bun:"last_used_at"`
}

// insertSession stores a new session's description with its first refresh
// token, in one transaction.
func (s *store) insertSession(ctx context.Context, meta sessionRow, first refreshRow) error {
	meta.CreatedAt, meta.LastUsedAt = ts(meta.CreatedAt), ts(meta.LastUsedAt)
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&meta).Exec(ctx); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		if _, err := tx.NewInsert().Model(&first).Exec(ctx); err != nil {
			return fmt.Errorf("insert refresh token: %w", err)
		}
		return nil
	})
}

// touchSession records a refresh of the session.
func (s *store) touchSession(ctx context.Context, id, device, address string, now time.Time) error {
	q := s.db.NewUpdate().Model((*sessionRow)(nil)).Set("last_used_at = ?", ts(now)).Set("address = ?", address)
	if device != "" {
		q = q.Set("device = ?", device)
	}
	if _, err := q.Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// liveSessions returns the user's sessions that can still refresh, most
// recently used first.
func (s *store) liveSessions(ctx context.Context, userID string, now time.Time) ([]sessionRow, error) {
	var rows []sessionRow
	live := s.db.NewSelect().Model((*refreshRow)(nil)).ColumnExpr("1").
		Where("family_id = sr.id AND revoked_at IS NULL AND used_at IS NULL AND expires_at > ?", ts(now))
	err := s.db.NewSelect().Model(&rows).
		Where("sr.user_id = ?", userID).Where("EXISTS (?)", live).
		OrderExpr("sr.last_used_at DESC, sr.id").Limit(1000).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("select sessions: %w", err)
	}
	return rows, nil
}

// endSession revokes the user's session id; another user's or an unknown
// one is NotFound.
func (s *store) endSession(ctx context.Context, userID, id string, now time.Time) error {
	defer s.afterRevoke(ctx)
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		fams, err := activeFamilies(ctx, tx, "user_id = ? AND family_id = ?", userID, id)
		if err != nil {
			return err
		}
		if len(fams) == 0 {
			return errs.NotFoundf("no such session among yours")
		}
		return revokeFamily(ctx, tx, id, now)
	})
}

// endOtherSessions revokes every session of the user except keep.
func (s *store) endOtherSessions(ctx context.Context, userID, keep string, now time.Time) error {
	defer s.afterRevoke(ctx)
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return revokeUserSessionsExcept(ctx, tx, userID, keep, now)
	})
}

// revokeUserSessionsExcept is revokeUserSessions keeping the session keep
// (empty: none kept).
func revokeUserSessionsExcept(ctx context.Context, idb bun.IDB, userID, keep string, now time.Time) error {
	if keep == "" {
		return revokeUserSessions(ctx, idb, userID, now)
	}
	fams, err := activeFamilies(ctx, idb, "user_id = ? AND family_id <> ?", userID, keep)
	if err != nil {
		return err
	}
	if err := logSessionsEnded(ctx, idb, userID, fams, now); err != nil {
		return err
	}
	_, err = idb.NewUpdate().Model((*refreshRow)(nil)).Set("revoked_at = ?", ts(now)).
		Where("user_id = ? AND family_id <> ? AND revoked_at IS NULL", userID, keep).Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// sessionSecondFactor reports whether the session's sign-in passed a second
// factor (false for an unknown session).
func (s *store) sessionSecondFactor(ctx context.Context, id string) (bool, error) {
	var rows []sessionRow
	if err := s.db.NewSelect().Model(&rows).Column("second_factor").Where("id = ?", id).Limit(1).Scan(ctx); err != nil {
		return false, fmt.Errorf("select session: %w", err)
	}
	return len(rows) == 1 && rows[0].SecondFactor, nil
}
