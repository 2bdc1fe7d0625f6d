package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
)

// keyRow is one Ed25519 signing key. The private key (the 64-byte
// ed25519.PrivateKey) is stored as is: whoever can read this table can mint
// tokens, so production must restrict access to identity's schema.
// Encrypting it at rest with a key from outside the database is future work.
type keyRow struct {
	bun.BaseModel `bun:"table:signing_keys"`

	KID        string     `bun:"kid,pk"`
	PrivateKey []byte     `bun:"private_key"`
	CreatedAt  time.Time  `bun:"created_at"`
	RetiredAt  *time.Time `bun:"retired_at"`
	Slot       int        `bun:"slot"`
}

// publishedKeys returns the active key and every key retired after
// retiredAfter, newest first.
func (s *store) publishedKeys(ctx context.Context, retiredAfter time.Time) ([]keyRow, error) {
	var rows []keyRow
	err := s.db.NewSelect().Model(&rows).
		Where("retired_at IS NULL OR retired_at > ?", ts(retiredAfter)).
		OrderExpr("created_at DESC").Scan(ctx)
	if err != nil && !db.IsNoRows(err) {
		return nil, fmt.Errorf("select signing keys: %w", err)
	}
	return rows, nil
}

// ensureActiveKey stores k as the active key unless one exists. Two
// replicas starting together may both try: the partial unique index lets one
// win and the other's insert is ignored.
func (s *store) ensureActiveKey(ctx context.Context, k keyRow) error {
	n, err := s.db.NewSelect().Model((*keyRow)(nil)).Where("retired_at IS NULL").Count(ctx)
	if err != nil {
		return fmt.Errorf("count active keys: %w", err)
	}
	if n > 0 {
		return nil
	}
	k.Slot = 1
	if _, err := s.db.NewInsert().Model(&k).Exec(ctx); err != nil && !db.IsUniqueViolation(err) {
		return fmt.Errorf("insert signing key: %w", err)
	}
	return nil
}

// rotateKey retires the active key and makes k active, in one transaction.
// Keys retired before forgetBefore are deleted: no token they signed can
// still be valid.
func (s *store) rotateKey(ctx context.Context, k keyRow, now, forgetBefore time.Time) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*keyRow)(nil)).Set("retired_at = ?", ts(now)).
			Where("retired_at IS NULL").Exec(ctx); err != nil {
			return fmt.Errorf("retire signing key: %w", err)
		}
		if _, err := tx.NewDelete().Model((*keyRow)(nil)).
			Where("retired_at IS NOT NULL AND retired_at < ?", ts(forgetBefore)).Exec(ctx); err != nil {
			return fmt.Errorf("forget old signing keys: %w", err)
		}
		k.Slot = 1
		if _, err := tx.NewInsert().Model(&k).Exec(ctx); err != nil {
			return fmt.Errorf("insert signing key: %w", err)
		}
		return nil
	})
}
