package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Token purposes.
const (
	purposeVerify = "verify"
	purposeReset  = "reset"
)

type emailTokenRow struct {
	bun.BaseModel `bun:"table:email_tokens"`

	TokenHash string     `bun:"token_hash,pk"`
	UserID    string     `bun:"user_id"`
	Purpose   string     `bun:"purpose"`
	Email     string     `bun:"email"`
	CreatedAt time.Time  `bun:"created_at"`
	ExpiresAt time.Time  `bun:"expires_at"`
	UsedAt    *time.Time `bun:"used_at"`
}

// mailToken is a token to store with the event that mails it.
type mailToken struct {
	Row       emailTokenRow
	EventType string
	Payload   emailTokenV1
}

// insertMailToken stores the token's hash and records its mail request, in
// the caller's transaction.
func (s *store) insertMailToken(ctx context.Context, tx bun.Tx, t mailToken) error {
	if _, err := tx.NewInsert().Model(&t.Row).Exec(ctx); err != nil {
		return fmt.Errorf("insert email token: %w", err)
	}
	if s.events == nil {
		return nil
	}
	return s.events.Record(ctx, tx, t.EventType, subjectOf(t.EventType)+t.Row.UserID, t.Row.UserID, t.Payload)
}

// issueMailToken stores a token for an existing account and records its
// mail request.
func (s *store) issueMailToken(ctx context.Context, t mailToken) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return s.insertMailToken(ctx, tx, t)
	})
}

// emailToken reads a token by its hash (NotFound when unknown).
func (s *store) emailToken(ctx context.Context, hash string) (emailTokenRow, error) {
	var row emailTokenRow
	err := s.db.NewSelect().Model(&row).Where("token_hash = ?", hash).Scan(ctx)
	if db.IsNoRows(err) {
		return row, errs.NotFoundf("no such token")
	}
	if err != nil {
		return row, fmt.Errorf("select email token: %w", err)
	}
	return row, nil
}

// spendToken marks the token used; false when it was used already (by a
// concurrent request too: the update is conditional).
func spendToken(ctx context.Context, tx bun.Tx, hash string, now time.Time) (bool, error) {
	res, err := tx.NewUpdate().Model((*emailTokenRow)(nil)).Set("used_at = ?", ts(now)).
		Where("token_hash = ? AND used_at IS NULL", hash).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("spend email token: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// errTokenSpent is what the store answers for a token used meanwhile.
var errTokenSpent = &tokenError{Gone: true, Reason: "has already been used"}

// errTokenAddress: the account's address is no longer the one mailed.
var errTokenAddress = &tokenError{Reason: "was sent to an address this account no longer has"}

// spendFor spends token t inside tx and loads its account, which must
// still have the address the token was mailed to.
func spendFor(ctx context.Context, tx bun.Tx, t emailTokenRow, now time.Time) (User, error) {
	ok, err := spendToken(ctx, tx, t.TokenHash, now)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, errTokenSpent
	}
	u, err := getUser(ctx, tx, "id = ?", t.UserID)
	if err != nil {
		return User{}, err
	}
	if u.Email != t.Email {
		return User{}, errTokenAddress
	}
	return u, nil
}

// verifyEmail spends a verification token and marks the account verified,
// provided it still has the address the token was mailed to.
func (s *store) verifyEmail(ctx context.Context, t emailTokenRow, now time.Time) (User, error) {
	var out User
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		u, err := spendFor(ctx, tx, t, now)
		if err != nil {
			return err
		}
		if u.EmailVerified {
			out = u
			return nil
		}
		u.EmailVerified, u.Version, u.UpdatedAt = true, u.Version+1, ts(now)
		if _, err := tx.NewUpdate().Model(toUserRow(u)).Column("email_verified", "version", "updated_at").
			Where("id = ?", u.ID).Exec(ctx); err != nil {
			return fmt.Errorf("verify email: %w", err)
		}
		out = u
		return nil
	})
	return out, err
}

// resetPassword spends a reset token and sets the password hash; every
// session of the account ends (the revocation log tells every service) and
// every other reset token of the account is spent. Following the mailed
// link proves the address too, so the account counts as verified.
func (s *store) resetPassword(ctx context.Context, t emailTokenRow, hash string, now time.Time) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		u, err := spendFor(ctx, tx, t, now)
		if err != nil {
			return err
		}
		u.PasswordHash, u.EmailVerified, u.Version, u.UpdatedAt = hash, true, u.Version+1, ts(now)
		res, err := tx.NewUpdate().Model(toUserRow(u)).Column("password_hash", "email_verified", "version", "updated_at").
			Where("id = ? AND version = ?", u.ID, u.Version-1).Exec(ctx)
		if err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.Conflictf("the account changed while resetting its password; try again")
		}
		if _, err := tx.NewUpdate().Model((*emailTokenRow)(nil)).Set("used_at = ?", ts(now)).
			Where("user_id = ? AND purpose = ? AND used_at IS NULL", u.ID, purposeReset).Exec(ctx); err != nil {
			return fmt.Errorf("spend reset tokens: %w", err)
		}
		return revokeUserSessions(ctx, tx, u.ID, now)
	})
	if err == nil {
		s.afterRevoke(ctx)
	}
	return err
}

// deleteEmailTokensBefore prunes tokens that expired before t.
func (s *store) deleteEmailTokensBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*emailTokenRow)(nil)).Where("expires_at < ?", ts(t)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("prune email tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// subjectOf is the subject prefix of a mail request: its type's aggregate
// noun (email/<user id>, password/<user id>), as every event's.
func subjectOf(eventType string) string {
	if eventType == EventPasswordResetRequested {
		return "password/"
	}
	return "email/"
}
