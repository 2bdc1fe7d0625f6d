package feeds

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
)

type tokenRow struct {
	bun.BaseModel `bun:"table:feeds_tokens"`
	ID            string     `bun:"id,pk"`
	UserID        string     `bun:"user_id"`
	Name          string     `bun:"name"`
	TokenHash     string     `bun:"token_hash"`
	CreatedAt     time.Time  `bun:"created_at"`
	LastUsedAt    *time.Time `bun:"last_used_at"`
}

func (r tokenRow) token() domain.FeedToken {
	t := domain.FeedToken{ID: r.ID, UserID: r.UserID, Name: r.Name, CreatedAt: r.CreatedAt.UTC()}
	if r.LastUsedAt != nil {
		u := r.LastUsedAt.UTC()
		t.LastUsedAt = &u
	}
	return t
}

// CreateToken stores a new private feed token by its secret's hash, unless
// the user already keeps the most allowed; ok is false then.
func (s *Store) CreateToken(ctx context.Context, t domain.FeedToken, hash string) (bool, error) {
	created := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*tokenRow)(nil)).Where("user_id = ?", t.UserID).Count(ctx)
		if err != nil {
			return err
		}
		if n >= domain.MaxFeedTokens {
			return nil
		}
		row := &tokenRow{ID: t.ID, UserID: t.UserID, Name: t.Name, TokenHash: hash, CreatedAt: t.CreatedAt}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("feeds store: %w", err)
	}
	return created, nil
}

// Tokens lists a user's private feed tokens, oldest first.
func (s *Store) Tokens(ctx context.Context, userID string) ([]domain.FeedToken, error) {
	var rows []tokenRow
	if err := s.idb().NewSelect().Model(&rows).Where("user_id = ?", userID).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("feeds store: %w", err)
	}
	out := make([]domain.FeedToken, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// TokenByHash finds the live token whose secret has hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (domain.FeedToken, bool, error) {
	var rows []tokenRow
	if err := s.idb().NewSelect().Model(&rows).Where("token_hash = ?", hash).Limit(1).Scan(ctx); err != nil {
		return domain.FeedToken{}, false, fmt.Errorf("feeds store: %w", err)
	}
	if len(rows) == 0 {
		return domain.FeedToken{}, false, nil
	}
	return rows[0].token(), true, nil
}

// DeleteToken revokes one of a user's tokens; false when the user has no
// such token.
func (s *Store) DeleteToken(ctx context.Context, userID, id string) (bool, error) {
	res, err := s.idb().NewDelete().Model((*tokenRow)(nil)).Where("id = ? AND user_id = ?", id, userID).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("feeds store: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("feeds store: %w", err)
	}
	return n > 0, nil
}

// TouchToken records a use of a token.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	_, err := s.idb().NewUpdate().Model((*tokenRow)(nil)).Set("last_used_at = ?", at).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("feeds store: %w", err)
	}
	return nil
}

// EraseUserTokens deletes every token of a user.
func (s *Store) EraseUserTokens(ctx context.Context, userID string) error {
	if _, err := s.idb().NewDelete().Model((*tokenRow)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("feeds store: %w", err)
	}
	return nil
}
