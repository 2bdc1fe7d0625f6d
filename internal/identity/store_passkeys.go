package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type passkeyRow struct {
	bun.BaseModel `bun:"table:passkeys"`

	ID         string     `bun:"id,pk"`
	UserID     string     `bun:"user_id"`
	Name       string     `bun:"name"`
	Credential string     `bun:"credential"`
	CreatedAt  time.Time  `bun:"created_at"`
	LastUsedAt *time.Time `bun:"last_used_at"`
}

type ceremonyRow struct {
	bun.BaseModel `bun:"table:webauthn_ceremonies"`

	ID        string    `bun:"id,pk"`
	UserID    string    `bun:"user_id"`
	Kind      string    `bun:"kind"`
	Challenge string    `bun:"challenge"`
	Data      string    `bun:"data"`
	CreatedAt time.Time `bun:"created_at"`
}

var errCeremony = errs.Unauthenticatedf("unknown, used or expired passkey ceremony; start again")

func (s *store) insertCeremony(ctx context.Context, row ceremonyRow) error {
	row.CreatedAt = ts(row.CreatedAt)
	if _, err := s.db.NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert ceremony: %w", err)
	}
	return nil
}

// takeCeremony deletes and returns the ceremony of kind with challenge
// started after notBefore: each works once.
func (s *store) takeCeremony(ctx context.Context, challenge, kind string, notBefore time.Time) (ceremonyRow, error) {
	var row ceremonyRow
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&row).Where("challenge = ? AND kind = ?", challenge, kind).Scan(ctx); err != nil {
			if db.IsNoRows(err) {
				return errCeremony
			}
			return fmt.Errorf("select ceremony: %w", err)
		}
		res, err := tx.NewDelete().Model((*ceremonyRow)(nil)).Where("id = ?", row.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("delete ceremony: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errCeremony
		}
		return nil
	})
	if err != nil {
		return ceremonyRow{}, err
	}
	if row.CreatedAt.Before(notBefore) {
		return ceremonyRow{}, errCeremony
	}
	return row, nil
}

func (s *store) passkeysOf(ctx context.Context, userID string) ([]passkeyRow, error) {
	var rows []passkeyRow
	if err := s.db.NewSelect().Model(&rows).Where("user_id = ?", userID).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("select passkeys: %w", err)
	}
	return rows, nil
}

func (s *store) insertPasskey(ctx context.Context, row passkeyRow) error {
	row.CreatedAt = ts(row.CreatedAt)
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	if db.IsUniqueViolation(err) {
		return errs.Conflictf("this passkey is registered already")
	}
	if err != nil {
		return fmt.Errorf("insert passkey: %w", err)
	}
	return nil
}

// passkeyUse stores the credential after a sign-in (its new sign count).
func (s *store) passkeyUse(ctx context.Context, id, credential string, now time.Time) error {
	_, err := s.db.NewUpdate().Model((*passkeyRow)(nil)).Set("credential = ?", credential).Set("last_used_at = ?", ts(now)).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("update passkey: %w", err)
	}
	return nil
}

func (s *store) deletePasskey(ctx context.Context, userID, id string) error {
	res, err := s.db.NewDelete().Model((*passkeyRow)(nil)).Where("id = ? AND user_id = ?", id, userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete passkey: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.NotFoundf("no such passkey among yours")
	}
	return nil
}

func (s *store) deleteCeremoniesBefore(ctx context.Context, t time.Time) error {
	if _, err := s.db.NewDelete().Model((*ceremonyRow)(nil)).Where("created_at < ?", ts(t)).Exec(ctx); err != nil {
		return fmt.Errorf("prune ceremonies: %w", err)
	}
	return nil
}
