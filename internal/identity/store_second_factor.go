package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type totpRow struct {
	bun.BaseModel `bun:"table:totp_factors"`

	UserID    string    `bun:"user_id,pk"`
	Secret    string    `bun:"secret"`
	Confirmed bool      `bun:"confirmed"`
	LastStep  int64     `bun:"last_step"`
	CreatedAt time.Time `bun:"created_at"`
}

type recoveryRow struct {
	bun.BaseModel `bun:"table:recovery_codes"`

	UserID   string     `bun:"user_id,pk"`
	CodeHash string     `bun:"code_hash,pk"`
	UsedAt   *time.Time `bun:"used_at"`
}

// totpOf returns the user's TOTP factor, confirmed or not; NotFound when
// there is none.
func (s *store) totpOf(ctx context.Context, userID string) (totpRow, error) {
	var row totpRow
	err := s.db.NewSelect().Model(&row).Where("user_id = ?", userID).Scan(ctx)
	if db.IsNoRows(err) {
		return totpRow{}, errs.ErrNotFound
	}
	if err != nil {
		return totpRow{}, fmt.Errorf("select totp: %w", err)
	}
	return row, nil
}

// startTOTP stores a new, unconfirmed secret, replacing an unconfirmed one;
// a confirmed factor is a Conflict (disable it first).
func (s *store) startTOTP(ctx context.Context, row totpRow) error {
	row.CreatedAt = ts(row.CreatedAt)
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var existing []totpRow
		if err := tx.NewSelect().Model(&existing).Where("user_id = ?", row.UserID).Scan(ctx); err != nil {
			return fmt.Errorf("select totp: %w", err)
		}
		if len(existing) == 1 && existing[0].Confirmed {
			return errs.Conflictf("a second factor is already set up; disable it first")
		}
		if _, err := tx.NewDelete().Model((*totpRow)(nil)).Where("user_id = ?", row.UserID).Exec(ctx); err != nil {
			return fmt.Errorf("replace totp: %w", err)
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return fmt.Errorf("insert totp: %w", err)
		}
		return nil
	})
}

// acceptStep records step as the last accepted one if it is newer than the
// last; false means the code (or an older one) was used already.
func (s *store) acceptStep(ctx context.Context, userID string, step int64) (bool, error) {
	res, err := s.db.NewUpdate().Model((*totpRow)(nil)).Set("last_step = ?", step).
		Where("user_id = ? AND last_step < ?", userID, step).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("accept totp: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// confirmTOTP marks the factor confirmed with step accepted, and replaces
// the recovery codes with hashes, in one transaction.
func (s *store) confirmTOTP(ctx context.Context, userID string, step int64, hashes []string) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*totpRow)(nil)).Set("confirmed = ?", true).Set("last_step = ?", step).
			Where("user_id = ? AND confirmed = ? AND last_step < ?", userID, false, step).Exec(ctx)
		if err != nil {
			return fmt.Errorf("confirm totp: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.Conflictf("nothing to confirm (already confirmed, or the code was used)")
		}
		return replaceRecoveryCodes(ctx, tx, userID, hashes)
	})
}

func replaceRecoveryCodes(ctx context.Context, idb bun.IDB, userID string, hashes []string) error {
	if _, err := idb.NewDelete().Model((*recoveryRow)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("delete recovery codes: %w", err)
	}
	rows := make([]recoveryRow, 0, len(hashes))
	for _, h := range hashes {
		rows = append(rows, recoveryRow{UserID: userID, CodeHash: h})
	}
	if _, err := idb.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("insert recovery codes: %w", err)
	}
	return nil
}

// useRecoveryCode spends the user's recovery code with hash; false when
// there is no such unused code.
func (s *store) useRecoveryCode(ctx context.Context, userID, hash string, now time.Time) (bool, error) {
	res, err := s.db.NewUpdate().Model((*recoveryRow)(nil)).Set("used_at = ?", ts(now)).
		Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, hash).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// unusedRecoveryCodes counts the user's codes left.
func (s *store) unusedRecoveryCodes(ctx context.Context, userID string) (int, error) {
	n, err := s.db.NewSelect().Model((*recoveryRow)(nil)).Where("user_id = ? AND used_at IS NULL", userID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return int(n), nil
}

// removeSecondFactor deletes the user's TOTP factor and recovery codes.
func (s *store) removeSecondFactor(ctx context.Context, userID string) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*totpRow)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return fmt.Errorf("delete totp: %w", err)
		}
		if _, err := tx.NewDelete().Model((*recoveryRow)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return fmt.Errorf("delete recovery codes: %w", err)
		}
		return nil
	})
}

// rewriteTOTP calls fn with every stored TOTP secret and stores what it
// answers when it says so.
func (s *store) rewriteTOTP(ctx context.Context, fn func(userID, stored string) (string, bool, error)) error {
	var rows []totpRow
	if err := s.db.NewSelect().Model(&rows).Column("user_id", "secret").Scan(ctx); err != nil {
		return fmt.Errorf("select totp: %w", err)
	}
	for _, r := range rows {
		next, change, err := fn(r.UserID, r.Secret)
		if err != nil {
			return err
		}
		if !change {
			continue
		}
		// Only the value read is replaced: a factor replaced meanwhile
		// keeps its new secret.
		if _, err := s.db.NewUpdate().Model((*totpRow)(nil)).Set("secret = ?", next).
			Where("user_id = ? AND secret = ?", r.UserID, r.Secret).Exec(ctx); err != nil {
			return fmt.Errorf("reseal totp: %w", err)
		}
	}
	return nil
}

// countSealedTOTP counts the secrets stored sealed.
func (s *store) countSealedTOTP(ctx context.Context) (int, error) {
	n, err := s.db.NewSelect().Model((*totpRow)(nil)).Where("secret LIKE ?", sealPrefix+"%").Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count totp: %w", err)
	}
	return int(n), nil
}
