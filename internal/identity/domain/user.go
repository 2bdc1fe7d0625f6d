// Package domain holds identity's rules in plain Go: what an account is,
// which roles and scopes it holds, how an account may be changed, and what
// a password must be. It knows nothing of HTTP, SQL or events.
package domain

import (
	"slices"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// User is an account.
type User struct {
	ID           string
	Email        string
	DisplayName  string
	PasswordHash string
	Roles        []string
	Suspended    bool
	// EmailVerified: the owner followed a link mailed to Email.
	EmailVerified bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int64
}

// IsAdmin reports whether the user holds the admin role.
func (u User) IsAdmin() bool { return slices.Contains(u.Roles, auth.RoleAdmin) }

// SessionScopes are the scopes of a password sign-in: everything the
// user's roles allow.
func (u User) SessionScopes() []string {
	if u.IsAdmin() {
		return []string{auth.ScopeRead, auth.ScopeWrite, auth.ScopeAdmin, auth.ScopeProgressWrite, auth.ScopeFeedsRead}
	}
	return []string{auth.ScopeRead, auth.ScopeWrite, auth.ScopeProgressWrite, auth.ScopeFeedsRead}
}

// NormalizeRoles checks requested roles and returns them in canonical order,
// always including reader, or the reason they are refused.
func NormalizeRoles(roles []string) ([]string, string) {
	for _, r := range roles {
		if !slices.Contains(auth.AllRoles, r) {
			return nil, "unknown role \"" + r + "\" (use reader, author, moderator, admin)"
		}
	}
	out := []string{auth.RoleReader}
	for _, r := range auth.AllRoles[1:] {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out, ""
}

// Change is an edit of an account, its values already normalised; nil
// fields stay as they are.
type Change struct {
	DisplayName *string
	Roles       []string
	Suspended   *bool
}

// CheckSelf refuses what no one may do to their own account whatever it
// holds now: suspend themself. It needs no read of the account, so it is
// checked first.
func (c Change) CheckSelf() error {
	if c.Suspended != nil && *c.Suspended {
		return errs.Conflictf("you cannot suspend yourself")
	}
	return nil
}

// Apply makes the change to u. self says the account is the actor's own:
// an administrator cannot take away their own admin role, which is how
// platforms lose their last administrator.
func (u *User) Apply(c Change, self bool) error {
	if self {
		if err := c.CheckSelf(); err != nil {
			return err
		}
		if c.Roles != nil && u.IsAdmin() && !slices.Contains(c.Roles, auth.RoleAdmin) {
			return errs.Conflictf("you cannot remove your own admin role; ask another administrator")
		}
	}
	if c.DisplayName != nil {
		u.DisplayName = *c.DisplayName
	}
	if c.Roles != nil {
		u.Roles = c.Roles
	}
	if c.Suspended != nil {
		u.Suspended = *c.Suspended
	}
	return nil
}

// Promote makes u an active administrator with the password hash: the
// first-administrator bootstrap of a platform that has no active one.
func (u *User) Promote(passwordHash string) {
	u.PasswordHash = passwordHash
	u.Suspended = false
	if !u.IsAdmin() {
		u.Roles, _ = NormalizeRoles(append(u.Roles, auth.RoleAdmin))
	}
}

// IsStaff reports whether the user moderates or administers the platform.
func (u User) IsStaff() bool {
	return u.IsAdmin() || slices.Contains(u.Roles, auth.RoleModerator)
}

// CheckSuspender says whether an actor may suspend or reinstate u: an
// administrator may act on anyone, a moderator only on readers and authors,
// so that moderators cannot lock each other (or administrators) out. No
// one acts on their own account (Change.CheckSelf).
func (u User) CheckSuspender(actorIsAdmin, actorIsModerator bool) error {
	switch {
	case actorIsAdmin:
		return nil
	case !actorIsModerator:
		return errs.Forbiddenf("only moderators and administrators may suspend accounts")
	case u.IsStaff():
		return errs.Forbiddenf("moderators may suspend only readers and authors; ask an administrator")
	}
	return nil
}
