package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// APIToken is a personal API token without its secret.
type APIToken struct {
	ID         string
	UserID     string
	Name       string
	Scopes     []string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt *time.Time
}

type apiTokenRow struct {
	bun.BaseModel `bun:"table:api_tokens"`

	ID         string     `bun:"id,pk"`
	UserID     string     `bun:"user_id"`
	Name       string     `bun:"name"`
	Scopes     string     `bun:"scopes"`
	TokenHash  string     `bun:"token_hash"`
	CreatedAt  time.Time  `bun:"created_at"`
	ExpiresAt  time.Time  `bun:"expires_at"`
	LastUsedAt *time.Time `bun:"last_used_at"`
}

func (r *apiTokenRow) token() APIToken {
	return APIToken{ID: r.ID, UserID: r.UserID, Name: r.Name, Scopes: strings.Fields(r.Scopes),
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), LastUsedAt: utcPtr(r.LastUsedAt)}
}

func (s *store) insertAPIToken(ctx context.Context, t APIToken, hash string) error {
	row := apiTokenRow{ID: t.ID, UserID: t.UserID, Name: t.Name, Scopes: strings.Join(t.Scopes, " "),
		TokenHash: hash, CreatedAt: ts(t.CreatedAt), ExpiresAt: ts(t.ExpiresAt)}
	if _, err := s.db.NewInsert().Model(&row).Exec(ctx); err != nil {
		if db.IsForeignKeyViolation(err) {
			return errs.NotFoundf("no such user")
		}
		return fmt.Errorf("insert API token: %w", err)
	}
	return nil
}

// useAPIToken finds the unexpired token with hash, records its use and
// returns it with its owner. Deleted and expired tokens are NotFound.
func (s *store) useAPIToken(ctx context.Context, hash string, now time.Time) (APIToken, User, error) {
	var (
		tok  APIToken
		user User
	)
	now = ts(now)
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var row apiTokenRow
		err := tx.NewSelect().Model(&row).Where("token_hash = ? AND expires_at > ?", hash, now).Scan(ctx)
		if db.IsNoRows(err) {
			return errs.NotFoundf("no such API token")
		}
		if err != nil {
			return fmt.Errorf("select API token: %w", err)
		}
		if _, err := tx.NewUpdate().Model((*apiTokenRow)(nil)).Set("last_used_at = ?", now).
			Where("id = ?", row.ID).Exec(ctx); err != nil {
			return fmt.Errorf("touch API token: %w", err)
		}
		row.LastUsedAt = &now
		tok = row.token()
		user, err = getUser(ctx, tx, "id = ?", row.UserID)
		return err
	})
	return tok, user, err
}

// listAPITokens returns up to limit of the user's tokens with id > after.
func (s *store) listAPITokens(ctx context.Context, userID, after string, limit int) ([]APIToken, error) {
	var rows []apiTokenRow
	q := s.db.NewSelect().Model(&rows).Where("user_id = ?", userID).OrderExpr("id ASC").Limit(int64(limit))
	if after != "" {
		q = q.Where("id > ?", after)
	}
	if err := q.Scan(ctx); err != nil && !db.IsNoRows(err) {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	out := make([]APIToken, len(rows))
	for i := range rows {
		out[i] = rows[i].token()
	}
	return out, nil
}

// deleteAPIToken revokes one of the user's tokens; anyone else's is NotFound.
func (s *store) deleteAPIToken(ctx context.Context, userID, id string) error {
	res, err := s.db.NewDelete().Model((*apiTokenRow)(nil)).Where("id = ? AND user_id = ?", id, userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete API token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFoundf("no such API token")
	}
	return nil
}
