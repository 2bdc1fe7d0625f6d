package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type oidcLoginRow struct {
	bun.BaseModel `bun:"table:oidc_logins"`

	State      string    `bun:"state,pk"`
	Provider   string    `bun:"provider"`
	Verifier   string    `bun:"verifier"`
	Nonce      string    `bun:"nonce"`
	LinkUserID string    `bun:"link_user_id"`
	Response   string    `bun:"response"`
	CreatedAt  time.Time `bun:"created_at"`
}

type oidcIdentityRow struct {
	bun.BaseModel `bun:"table:oidc_identities"`

	Provider  string    `bun:"provider,pk"`
	Subject   string    `bun:"subject,pk"`
	UserID    string    `bun:"user_id"`
	CreatedAt time.Time `bun:"created_at"`
}

var errOIDCState = errs.Unauthenticatedf("unknown, used or expired sign-in state; start again")

func (s *store) insertOIDCLogin(ctx context.Context, row oidcLoginRow) error {
	row.CreatedAt = ts(row.CreatedAt)
	if _, err := s.db.NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert oidc login: %w", err)
	}
	return nil
}

// takeOIDCLogin deletes and returns the sign-in with state if it started
// after notBefore: a state works once.
func (s *store) takeOIDCLogin(ctx context.Context, provider, state string, notBefore time.Time) (oidcLoginRow, error) {
	var row oidcLoginRow
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&row).Where("state = ? AND provider = ?", state, provider).Scan(ctx); err != nil {
			if db.IsNoRows(err) {
				return errOIDCState
			}
			return fmt.Errorf("select oidc login: %w", err)
		}
		res, err := tx.NewDelete().Model((*oidcLoginRow)(nil)).Where("state = ?", state).Exec(ctx)
		if err != nil {
			return fmt.Errorf("delete oidc login: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errOIDCState
		}
		return nil
	})
	if err != nil {
		return oidcLoginRow{}, err
	}
	if row.CreatedAt.Before(notBefore) {
		return oidcLoginRow{}, errOIDCState
	}
	return row, nil
}

// oidcUser returns the user linked to subject at provider; NotFound if none.
func (s *store) oidcUser(ctx context.Context, provider, subject string) (string, error) {
	var row oidcIdentityRow
	err := s.db.NewSelect().Model(&row).Where("provider = ? AND subject = ?", provider, subject).Scan(ctx)
	if db.IsNoRows(err) {
		return "", errs.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("select oidc identity: %w", err)
	}
	return row.UserID, nil
}

// linkOIDC links subject at provider to userID; a subject linked to
// someone else is a Conflict.
func (s *store) linkOIDC(ctx context.Context, row oidcIdentityRow) error {
	row.CreatedAt = ts(row.CreatedAt)
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	if db.IsUniqueViolation(err) {
		return errs.Conflictf("this account at the provider is already linked to an account here")
	}
	if err != nil {
		return fmt.Errorf("insert oidc identity: %w", err)
	}
	return nil
}

// createOIDCUser creates u and links it to subject at provider in one
// transaction (just-in-time account).
func (s *store) createOIDCUser(ctx context.Context, u User, link oidcIdentityRow) error {
	link.CreatedAt = ts(link.CreatedAt)
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(toUserRow(u)).Exec(ctx)
		if db.IsUniqueViolation(err) {
			return errEmailTaken
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		if _, err := tx.NewInsert().Model(&link).Exec(ctx); err != nil {
			return fmt.Errorf("insert oidc identity: %w", err)
		}
		return s.record(ctx, tx, u, EventUserRegistered)
	})
}

func (s *store) deleteOIDCLoginsBefore(ctx context.Context, t time.Time) error {
	if _, err := s.db.NewDelete().Model((*oidcLoginRow)(nil)).Where("created_at < ?", ts(t)).Exec(ctx); err != nil {
		return fmt.Errorf("prune oidc logins: %w", err)
	}
	return nil
}

// oidcIdentitiesOf lists the provider accounts linked to userID, oldest first.
func (s *store) oidcIdentitiesOf(ctx context.Context, userID string) ([]oidcIdentityRow, error) {
	var rows []oidcIdentityRow
	if err := s.db.NewSelect().Model(&rows).Where("user_id = ?", userID).OrderExpr("created_at, provider").Scan(ctx); err != nil {
		return nil, fmt.Errorf("select oidc identities: %w", err)
	}
	return rows, nil
}

// unlinkOIDC removes userID's links to provider; NotFound when there is none.
func (s *store) unlinkOIDC(ctx context.Context, userID, provider string) error {
	res, err := s.db.NewDelete().Model((*oidcIdentityRow)(nil)).Where("user_id = ? AND provider = ?", userID, provider).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete oidc identity: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.ErrNotFound
	}
	return nil
}
