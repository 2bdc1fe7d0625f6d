package identity

import (
	"context"
	"errors"
	"slices"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// An access token says what its holder could do when it was issued, and it
// stays valid until it expires. Identity owns the accounts, so on every
// request that needs a caller it checks the account as it is now: a token
// of a deleted account or of an ended session is refused (401), a suspended
// account may not act (403), and the token's roles count only as far as the
// account still holds them. Other services verify tokens locally and learn
// of suspensions and deletions through events (see catalog's consume_users.go).

var (
	errAccountGone = errs.Unauthenticatedf("the account of this token no longer exists")
	errSessionOver = errs.Unauthenticatedf("this session has ended (signed out or revoked); sign in again")
)

// caller returns the signed-in caller, with roles narrowed to those the
// account holds now, and the account.
func (s *Service) caller(ctx context.Context) (auth.Principal, User, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return p, User{}, err
	}
	if !validUserID(p.UserID) {
		return p, User{}, errAccountGone
	}
	u, err := s.store.userByID(ctx, p.UserID)
	if errors.Is(err, errs.ErrNotFound) {
		return p, User{}, errAccountGone
	}
	if err != nil {
		return p, User{}, err
	}
	// Before the session: suspension also ends it, and 403 says why.
	if u.Suspended {
		return p, User{}, errSuspended
	}
	if p.SessionID != "" {
		if !validUserID(p.SessionID) {
			return p, User{}, errSessionOver
		}
		active, err := s.store.sessionActive(ctx, p.SessionID)
		if err != nil {
			return p, User{}, err
		}
		if !active {
			return p, User{}, errSessionOver
		}
	}
	p.Roles = slices.DeleteFunc(slices.Clone(p.Roles), func(r string) bool { return !slices.Contains(u.Roles, r) })
	return p, u, nil
}

// adminCaller is caller for administrators only, by the account's current
// roles and the token's scope.
func (s *Service) adminCaller(ctx context.Context) (auth.Principal, error) {
	p, _, err := s.caller(ctx)
	if err != nil {
		return p, err
	}
	if !p.IsAdmin() {
		return p, errs.Forbiddenf("only administrators may do this")
	}
	return p, nil
}
