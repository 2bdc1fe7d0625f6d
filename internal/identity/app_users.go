package identity

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/identity/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// register creates a reader account. Registrations are counted per client
// address (signup_rate_per_address an hour) before any work is done: each
// costs a password hash.
func (s *Service) register(ctx context.Context, rawEmail, password, rawName string) (User, error) {
	if s.cfg.DisablePasswords {
		return User{}, errPasswordsDisabled
	}
	n, ends, err := s.limiter.Add(ctx, "signup:"+s.clientAddr(ctx), time.Hour)
	if err != nil {
		return User{}, err
	}
	if n > s.cfg.SignupRatePerAddress {
		return User{}, &errs.Error{Kind: errs.TooManyRequests, RetryAfterSeconds: retryAfter(ends, s.now()),
			Message: "too many accounts registered from your address; wait before trying again"}
	}
	var v errs.Validation
	email, reason := normalizeEmail(rawEmail)
	v.Check(reason == "", "email", "%s", reason)
	name, reason := normalizeDisplayName(rawName)
	v.Check(reason == "", "display_name", "%s", reason)
	if reason := s.policy.Check(password, email); reason != "" {
		v.Add("password", "%s", reason)
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return User{}, err
	}
	now := ts(s.now())
	u := User{ID: uuid.Must(uuid.NewV7()).String(), Email: email, DisplayName: name, PasswordHash: hash,
		Roles: []string{auth.RoleReader}, CreatedAt: now, UpdatedAt: now, Version: 1}
	// The verification mail is requested with the account (one transaction).
	tok, err := s.newMailToken(u, purposeVerify)
	if err != nil {
		return User{}, err
	}
	if err := s.store.createUserMailing(ctx, u, tok); err != nil {
		return User{}, err
	}
	return u, nil
}

// Password changes a user may attempt per window, right or wrong: each
// costs one or two password hashes, and a stolen access token must not
// become a way to make identity hash without end.
const (
	passwordChangesPerWindow = 5
	passwordChangeWindow     = 15 * time.Minute
)

// changePassword replaces the caller's password after checking the current
// one; every refresh token of the user is revoked with it. Attempts are
// limited per user (passwordChangesPerWindow), and a wrong current password
// counts as a failed sign-in from an unknown device (a stolen access token
// must not become a way to guess the password), under the same limits.
func (s *Service) changePassword(ctx context.Context, u User, current, next string) error {
	n, ends, err := s.limiter.Add(ctx, "pwchange:"+u.ID, passwordChangeWindow)
	if err != nil {
		return err
	}
	if n > passwordChangesPerWindow {
		return &errs.Error{Kind: errs.TooManyRequests, RetryAfterSeconds: retryAfter(ends, s.now()),
			Message: "too many password changes; wait before trying again"}
	}
	release, err := s.reserveFailures(ctx, s.failureBuckets(ctx, u.Email, ""))
	if err != nil {
		return err
	}
	ok, err := s.verifyPassword(ctx, current, u.PasswordHash)
	if err != nil {
		release()
		return err
	}
	if !ok {
		return errs.InvalidField("current_password", "is wrong")
	}
	release()
	if reason := s.policy.Check(next, u.Email); reason != "" {
		return errs.InvalidField("new_password", "%s", reason)
	}
	hash, err := s.hashPassword(ctx, next)
	if err != nil {
		return err
	}
	// The session that changed the password stays; every other ends.
	keep := ""
	if p, ok := auth.FromContext(ctx); ok && validUserID(p.SessionID) {
		keep = p.SessionID
	}
	_, err = s.store.updateUserKeeping(ctx, u.ID, 0, s.now(), keep, func(u *User) error {
		u.PasswordHash = hash
		return nil
	})
	return err
}

// userChange is an administrator's edit of an account; nil fields stay.
type userChange struct {
	DisplayName *string
	Roles       *[]string
	Suspended   *bool
}

// updateUser applies an edit by actor (an admin, or the user themself for
// display_name only). The limits on editing one's own account are the
// domain's (domain.Change.CheckSelf, domain.User.Apply).
func (s *Service) updateUser(ctx context.Context, actor auth.Principal, id string, ifVersion int64, c userChange) (User, error) {
	var v errs.Validation
	change := domain.Change{Suspended: c.Suspended}
	if c.DisplayName != nil {
		name, reason := normalizeDisplayName(*c.DisplayName)
		v.Check(reason == "", "display_name", "%s", reason)
		change.DisplayName = &name
	}
	if c.Roles != nil {
		var reason string
		change.Roles, reason = domain.NormalizeRoles(*c.Roles)
		v.Check(reason == "", "roles", "%s", reason)
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	self := actor.UserID == id
	if self {
		if err := change.CheckSelf(); err != nil {
			return User{}, err
		}
	}
	return s.store.updateUser(ctx, id, ifVersion, s.now(), func(u *User) error {
		return u.Apply(change, self)
	})
}

// getUser returns the account id names.
func (s *Service) getUser(ctx context.Context, id string) (User, error) {
	if !validUserID(id) {
		return User{}, errNoSuchUser
	}
	return s.store.userByID(ctx, id)
}

// listUsers answers up to size users after the one with id after, in
// creation order, and the id to continue after ("" on the last page).
func (s *Service) listUsers(ctx context.Context, f userFilter, after string, size int) ([]User, string, error) {
	users, err := s.store.listUsers(ctx, f, after, size+1)
	if err != nil {
		return nil, "", err
	}
	return cutPage(users, size, func(u User) string { return u.ID })
}

// deleteUser deletes an account with its sessions and tokens: the user's
// own, or anyone's for an administrator. The store refuses to delete the
// last administrator.
func (s *Service) deleteUser(ctx context.Context, actor auth.Principal, id string) error {
	if actor.UserID != id && !actor.IsAdmin() {
		return errs.Forbiddenf("you may delete only your own account")
	}
	if !validUserID(id) {
		return errNoSuchUser
	}
	return s.store.deleteUser(ctx, id)
}

// suspendUser suspends (or reinstates) the account id for actor, a
// moderator or an administrator (domain.User.CheckSuspender, checked on the
// account as it is inside the update). It is the same path as an
// administrator's PATCH: a suspension ends the sessions, records the cut in
// the revocation list and publishes identity.user.suspended.
func (s *Service) suspendUser(ctx context.Context, actor auth.Principal, id string, suspend bool, reason string) (User, error) {
	if !actor.IsModerator() && !actor.IsAdmin() {
		return User{}, errs.Forbiddenf("only moderators and administrators may suspend accounts")
	}
	if !validUserID(id) {
		return User{}, errNoSuchUser
	}
	change := domain.Change{Suspended: &suspend}
	self := actor.UserID == id
	if self {
		if err := change.CheckSelf(); err != nil {
			return User{}, err
		}
	}
	u, err := s.store.updateUser(ctx, id, 0, s.now(), func(u *User) error {
		if err := u.CheckSuspender(actor.IsAdmin(), actor.IsModerator()); err != nil {
			return err
		}
		return u.Apply(change, self)
	})
	if err != nil {
		return User{}, err
	}
	s.log.InfoContext(ctx, "account suspension changed", slog.String("user_id", id), slog.Bool("suspended", suspend),
		slog.String("by", actor.UserID), slog.String("reason", reason))
	return u, nil
}
