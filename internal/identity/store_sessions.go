package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type refreshRow struct {
	bun.BaseModel `bun:"table:refresh_tokens"`

	TokenHash string     `bun:"token_hash,pk"`
	FamilyID  string     `bun:"family_id"`
	UserID    string     `bun:"user_id"`
	CreatedAt time.Time  `bun:"created_at"`
	ExpiresAt time.Time  `bun:"expires_at"`
	UsedAt    *time.Time `bun:"used_at"`
	RevokedAt *time.Time `bun:"revoked_at"`
}

// errBadRefresh is the one answer for every unusable refresh token, so a
// caller learns nothing about which tokens exist.
var errBadRefresh = errs.Unauthenticatedf("refresh token is invalid, expired or revoked; sign in again")

func (s *store) insertRefresh(ctx context.Context, r refreshRow) error {
	if _, err := s.db.NewInsert().Model(&r).Exec(ctx); err != nil {
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// errRefreshUsed answers a refresh token presented again within the grace
// window: most likely a second tab that refreshed at the same moment.
var errRefreshUsed = errs.Unauthenticatedf("refresh token already used; continue with the one that refresh returned")

// rotateRefresh spends the refresh token with hash and stores its successor
// (built by next, in the same family) in one transaction. Exactly one of
// several concurrent calls with the same token succeeds: the conditional
// UPDATE lets only one transaction mark it used. A token presented again
// within grace of its first use is refused as already used and nothing else
// happens (two tabs refreshing at once must not end the session). Later, a
// used token means it leaked (or a client kept a stale one): the whole
// family is revoked, that revocation is committed, and the caller gets 401
// like for any other bad token.
func (s *store) rotateRefresh(ctx context.Context, hash string, now time.Time, grace time.Duration, next func(u User, family string) (refreshRow, error)) (User, error) {
	var (
		user  User
		reuse bool
	)
	now = ts(now)
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*refreshRow)(nil)).Set("used_at = ?", now).
			Where("token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?", hash, now).Exec(ctx)
		if err != nil {
			return fmt.Errorf("spend refresh token: %w", err)
		}
		var row refreshRow
		if err := tx.NewSelect().Model(&row).Where("token_hash = ?", hash).Scan(ctx); err != nil {
			if db.IsNoRows(err) {
				return errBadRefresh
			}
			return fmt.Errorf("select refresh token: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			// Suspension revokes every session; its holder learns why
			// refreshing fails (403) rather than a plain 401.
			if row.RevokedAt != nil {
				if u, err := getUser(ctx, tx, "id = ?", row.UserID); err == nil && u.Suspended {
					return errSuspended
				}
			}
			if row.UsedAt != nil && row.RevokedAt == nil {
				if now.Sub(*row.UsedAt) < grace {
					return errRefreshUsed
				}
				reuse = true
				return revokeFamily(ctx, tx, row.FamilyID, now)
			}
			return errBadRefresh
		}
		user, err = getUser(ctx, tx, "id = ?", row.UserID)
		if err != nil {
			return err
		}
		if user.Suspended {
			return errSuspended
		}
		successor, err := next(user, row.FamilyID)
		if err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&successor).Exec(ctx); err != nil {
			return fmt.Errorf("insert refresh token: %w", err)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	if reuse {
		s.afterRevoke(ctx)
		return User{}, errBadRefresh
	}
	return user, nil
}

func revokeFamily(ctx context.Context, idb bun.IDB, family string, now time.Time) error {
	var owner []string
	if err := idb.NewSelect().Model((*refreshRow)(nil)).Column("user_id").
		Where("family_id = ? AND revoked_at IS NULL", family).Limit(1).Scan(ctx, &owner); err != nil {
		return fmt.Errorf("select session: %w", err)
	}
	if len(owner) == 1 {
		if err := logSessionsEnded(ctx, idb, owner[0], []string{family}, now); err != nil {
			return err
		}
	}
	_, err := idb.NewUpdate().Model((*refreshRow)(nil)).Set("revoked_at = ?", ts(now)).
		Where("family_id = ? AND revoked_at IS NULL", family).Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke refresh family: %w", err)
	}
	return nil
}

func revokeUserSessions(ctx context.Context, idb bun.IDB, userID string, now time.Time) error {
	fams, err := activeFamilies(ctx, idb, "user_id = ?", userID)
	if err != nil {
		return err
	}
	if err := logSessionsEnded(ctx, idb, userID, fams, now); err != nil {
		return err
	}
	_, err = idb.NewUpdate().Model((*refreshRow)(nil)).Set("revoked_at = ?", ts(now)).
		Where("user_id = ? AND revoked_at IS NULL", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// revokeSessions revokes every refresh token of the user.
func (s *store) revokeSessions(ctx context.Context, userID string, now time.Time) error {
	defer s.afterRevoke(ctx)
	return revokeUserSessions(ctx, s.db.DB, userID, now)
}

// revokeFamilyOf revokes the family of the refresh token with hash if it
// belongs to userID; someone else's (or an unknown) token is NotFound.
func (s *store) revokeFamilyOf(ctx context.Context, userID, hash string, now time.Time) error {
	var row refreshRow
	err := s.db.NewSelect().Model(&row).Where("token_hash = ? AND user_id = ?", hash, userID).Scan(ctx)
	if db.IsNoRows(err) {
		return errs.NotFoundf("no such refresh token among yours")
	}
	if err != nil {
		return fmt.Errorf("select refresh token: %w", err)
	}
	defer s.afterRevoke(ctx)
	return revokeFamily(ctx, s.db.DB, row.FamilyID, now)
}

// revokeFamilyOfToken revokes the family of the refresh token with hash,
// whoever it belongs to: holding the token proves the session. An unknown
// token is errBadRefresh.
func (s *store) revokeFamilyOfToken(ctx context.Context, hash string, now time.Time) error {
	var row refreshRow
	err := s.db.NewSelect().Model(&row).Where("token_hash = ?", hash).Scan(ctx)
	if db.IsNoRows(err) {
		return errBadRefresh
	}
	if err != nil {
		return fmt.Errorf("select refresh token: %w", err)
	}
	defer s.afterRevoke(ctx)
	return revokeFamily(ctx, s.db.DB, row.FamilyID, now)
}

// sessionActive reports whether the session (refresh token family) of an
// access token still stands: it has tokens and none of them was revoked
// (logout, reuse, suspension and password changes revoke whole families).
func (s *store) sessionActive(ctx context.Context, family string) (bool, error) {
	var rows []refreshRow
	err := s.db.NewSelect().Model(&rows).Column("revoked_at").Where("family_id = ?", family).
		OrderExpr("created_at DESC").Limit(1).Scan(ctx)
	if err != nil {
		return false, fmt.Errorf("select session: %w", err)
	}
	return len(rows) == 1 && rows[0].RevokedAt == nil, nil
}

// deleteRefreshExpiredBefore deletes the refresh tokens that expired before
// t and reports how many.
func (s *store) deleteRefreshExpiredBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*refreshRow)(nil)).Where("expires_at < ?", ts(t)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("prune refresh tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
