package identity

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type revocationRow struct {
	bun.BaseModel `bun:"table:revocations"`

	ID         string    `bun:"id,pk"`
	UserID     string    `bun:"user_id"`
	SessionID  string    `bun:"session_id"`
	MinVersion int64     `bun:"min_version"`
	Roles      string    `bun:"roles"`
	Reason     string    `bun:"reason"`
	CreatedAt  time.Time `bun:"created_at"`
}

// deletedVersion is the cut of a deleted account: no token is that new.
const deletedVersion = math.MaxInt64 / 2

// logUserCut records that tokens of userID issued below minVersion are
// refused, in the caller's transaction.
func logUserCut(ctx context.Context, idb bun.IDB, userID string, minVersion int64, reason string, now time.Time) error {
	return logCut(ctx, idb, revocationRow{UserID: userID, MinVersion: minVersion, Reason: reason, CreatedAt: ts(now)})
}

func logCut(ctx context.Context, idb bun.IDB, row revocationRow) error {
	row.ID = uuid.Must(uuid.NewV7()).String()
	if _, err := idb.NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("log revocation: %w", err)
	}
	return nil
}

// logSessionsEnded records the end of the sessions (refresh token families)
// of userID, in the caller's transaction.
func logSessionsEnded(ctx context.Context, idb bun.IDB, userID string, families []string, now time.Time) error {
	if len(families) == 0 {
		return nil
	}
	rows := make([]revocationRow, 0, len(families))
	for _, f := range families {
		rows = append(rows, revocationRow{ID: uuid.Must(uuid.NewV7()).String(), UserID: userID, SessionID: f,
			Reason: auth.RevokedSession, CreatedAt: ts(now)})
	}
	if _, err := idb.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("log revocation: %w", err)
	}
	return nil
}

// activeFamilies returns the families matching where that still have an
// unrevoked token.
func activeFamilies(ctx context.Context, idb bun.IDB, where string, args ...any) ([]string, error) {
	var fams []string
	err := idb.NewSelect().Model((*refreshRow)(nil)).ColumnExpr("DISTINCT family_id").
		Where(where+" AND revoked_at IS NULL", args...).Scan(ctx, &fams)
	if err != nil {
		return nil, fmt.Errorf("select sessions: %w", err)
	}
	return fams, nil
}

// revocationsSince returns up to limit revocations recorded after since and
// not before notBefore, oldest first.
func (s *store) revocationsSince(ctx context.Context, since, notBefore time.Time, limit int) ([]revocationRow, error) {
	if notBefore.After(since) {
		since = notBefore
	}
	var rows []revocationRow
	err := s.db.NewSelect().Model(&rows).Where("created_at > ?", ts(since)).
		OrderExpr("created_at, id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("select revocations: %w", err)
	}
	return rows, nil
}

// deleteRevocationsBefore prunes the log.
func (s *store) deleteRevocationsBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*revocationRow)(nil)).Where("created_at < ?", ts(t)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("prune revocations: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// logUserChange records the cut a change from before to after makes: a
// suspension refuses every token issued before it; after the loss of a role,
// tokens issued before keep only the roles the account still holds.
func logUserChange(ctx context.Context, idb bun.IDB, before, after User, now time.Time) error {
	switch {
	case after.Suspended && !before.Suspended:
		return logUserCut(ctx, idb, after.ID, after.Version, auth.RevokedSuspended, now)
	case rolesRemoved(before.Roles, after.Roles):
		return logCut(ctx, idb, revocationRow{UserID: after.ID, MinVersion: after.Version, Roles: encodeRoles(after.Roles),
			Reason: auth.RevokedRoles, CreatedAt: ts(now)})
	}
	return nil
}

func rolesRemoved(before, after []string) bool {
	for _, r := range before {
		if !slices.Contains(after, r) {
			return true
		}
	}
	return false
}

// afterRevoke tells the process's follower that the log may have grown.
func (s *store) afterRevoke(ctx context.Context) {
	if s.revoked != nil {
		s.revoked(ctx)
	}
}
