package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// ensureAdmin makes sure the platform has an active administrator. When one
// exists nothing happens. Otherwise (none at all, or every one suspended) the
// configured admin_email becomes one, active: with
// admin_password when it is set, or else with a generated password printed
// once on d.Out (never through the logger, which may be shipped elsewhere).
// An existing account with that email is promoted and given the password.
func (s *Service) ensureAdmin(ctx context.Context) error {
	exists, err := s.store.anyAdmin(ctx)
	if err != nil || exists {
		return err
	}
	email, reason := normalizeEmail(s.cfg.AdminEmail)
	if reason != "" {
		return fmt.Errorf("admin_email %s", reason)
	}
	password, generated := s.cfg.AdminPassword, false
	if password == "" {
		if password, err = randomPassword(); err != nil {
			return err
		}
		generated = true
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	now := ts(s.now())
	existing, err := s.store.userByEmail(ctx, email)
	switch {
	case err == nil:
		_, err = s.store.updateUser(ctx, existing.ID, 0, now, func(u *User) error {
			u.Promote(hash)
			return nil
		})
	case errors.Is(err, errs.ErrNotFound):
		err = s.store.createUser(ctx, User{ID: uuid.Must(uuid.NewV7()).String(), Email: email,
			DisplayName: "Administrator", PasswordHash: hash, Roles: []string{auth.RoleReader, auth.RoleAdmin},
			CreatedAt: now, UpdatedAt: now, Version: 1})
		if errors.Is(err, errs.ErrConflict) {
			// Another replica created it a moment ago.
			return nil
		}
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "first administrator ready", "email", email, "generated_password", generated)
	if generated {
		s.out("created administrator %s with password %s — change it now\n", email, password)
	}
	return nil
}

// randomPassword returns 24 random bytes as base64url (32 characters).
func randomPassword() (string, error) { return randomString(24) }
