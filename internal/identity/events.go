package identity

import (
	"context"
	"slices"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Event types identity publishes on its topic, alexandria_identity.
const (
	EventUserRegistered = "identity.user.registered.v1"
	EventUserUpdated    = "identity.user.updated.v1"
	EventUserSuspended  = "identity.user.suspended.v1"
	EventUserReinstated = "identity.user.reinstated.v1"
	EventUserDeleted    = "identity.user.deleted.v1"
)

// Events lists every event type identity publishes, for the event catalogue.
// Payloads are the user as administrators see it: never a password hash or
// a token.
var Events = []events.Spec{
	{Type: EventUserRegistered, Payload: userJSON{},
		Description: "An account was created: by registration, or as the first administrator when the platform starts without one."},
	{Type: EventUserUpdated, Payload: userJSON{},
		Description: "A user's display name or roles changed (by the user, an administrator, or the first-administrator bootstrap). Password changes publish nothing, so the version may skip."},
	{Type: EventUserSuspended, Payload: userJSON{},
		Description: "An administrator suspended the user: they cannot sign in, and their sessions ended."},
	{Type: EventUserReinstated, Payload: userJSON{},
		Description: "A suspended user was reinstated (by an administrator, or by the first-administrator bootstrap)."},
	{Type: EventUserDeleted, Payload: userJSON{},
		Description: "The account was deleted, with its sessions and tokens; the payload is the user as it was. Catalog ends the user's memberships (user-deletion saga)."},
}

// recorder writes an event in the caller's transaction (events.Pipeline).
type recorder interface {
	Record(ctx context.Context, idb bun.IDB, typ, subject, key string, data any) error
}

// userEvents are the events of a change from before to after: an edit of
// the profile or roles, then a suspension or reinstatement. A change of the
// password alone is nobody else's business.
func userEvents(before, after User) []string {
	var out []string
	if before.DisplayName != after.DisplayName || !slices.Equal(before.Roles, after.Roles) {
		out = append(out, EventUserUpdated)
	}
	switch {
	case after.Suspended && !before.Suspended:
		out = append(out, EventUserSuspended)
	case !after.Suspended && before.Suspended:
		out = append(out, EventUserReinstated)
	}
	return out
}

// record writes events of u in tx. A store without a recorder (repository
// tests) records nothing.
func (s *store) record(ctx context.Context, tx bun.Tx, u User, types ...string) error {
	if s.events == nil {
		return nil
	}
	for _, typ := range types {
		if err := s.events.Record(ctx, tx, typ, "user/"+u.ID, u.ID, toUserJSON(u)); err != nil {
			return err
		}
	}
	return nil
}
