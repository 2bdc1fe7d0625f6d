// Package domain holds catalog's rules: who may do what to authors, media
// and categories, what valid input looks like, and how a media item's status
// may change. It knows nothing of HTTP or SQL, so every rule is tested with
// plain values.
package domain

import (
	"github.com/alexandria-platform/alexandria/internal/platform/clock"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Actor is the caller as the rules see it. The zero Actor is anonymous.
type Actor struct {
	UserID string
	// Author is true for callers holding the author role (or a higher one).
	Author bool
	// Moderator is true for moderators and admins acting with a write token.
	Moderator bool
	// Admin is true for admins acting with an admin-scoped token.
	Admin bool
}

// SignedIn reports whether the caller is authenticated.
func (a Actor) SignedIn() bool { return a.UserID != "" }

// Limits are the configurable bounds the rules enforce.
type Limits struct {
	MaxTagsPerMedia     int
	MaxAuthorsPerMedia  int
	MaxMembersPerAuthor int
}

// Stamp normalises t the way every stored time is normalised.
var Stamp = clock.Stamp

// CheckVersion enforces an If-Match precondition. expect 0 means the caller
// sent none (or "*"); any other value must equal the current version.
func CheckVersion(expect, have int64) error {
	if expect != 0 && expect != have {
		return errs.New(errs.PreconditionFailed,
			"the resource changed since it was read (version %d now); read it again and retry", have)
	}
	return nil
}

func requireSignedIn(a Actor) error {
	if !a.SignedIn() {
		return errs.Unauthenticatedf("sign in first: send Authorization: Bearer <access token>")
	}
	return nil
}
