package identity

import (
	"slices"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Event types identity publishes on its topic, alexandria_identity.
const (
	EventUserRegistered = "identity.user.registered.v1"
	EventUserUpdated    = "identity.user.updated.v1"
	EventUserSuspended  = "identity.user.suspended.v1"
	EventUserReinstated = "identity.user.reinstated.v1"
	EventUserDeleted    = "identity.user.deleted.v1"

	// Mail requests: notify sends the message (app_email_tokens.go).
	EventVerificationRequested  = "identity.email.verification_requested.v1"
	EventPasswordResetRequested = "identity.password.reset_requested.v1"
)

// Events lists every event type identity publishes, for the event catalogue.
// Payloads are the user as administrators see it: never a password hash or
// a token.
var Events = []events.Spec{
	{Type: EventUserRegistered, Payload: userV1{},
		Description: "An account was created: by registration, or as the first administrator when the platform starts without one."},
	{Type: EventUserUpdated, Payload: userV1{},
		Description: "A user's display name or roles changed (by the user, an administrator, or the first-administrator bootstrap). Password changes publish nothing, so the version may skip."},
	{Type: EventUserSuspended, Payload: userV1{},
		Description: "An administrator suspended the user: they cannot sign in, and their sessions ended."},
	{Type: EventUserReinstated, Payload: userV1{},
		Description: "A suspended user was reinstated (by an administrator, or by the first-administrator bootstrap)."},
	{Type: EventUserDeleted, Payload: userV1{},
		Description: "The account was deleted, with its sessions and tokens; the payload is the user as it was. Catalog ends the user's memberships (user-deletion saga)."},
	{Type: EventVerificationRequested, Payload: emailTokenV1{},
		Description: "Mail the account's address a link that proves it reads mail there (at sign-up, and when the user asks again). " +
			"The url carries the token itself: notify must be able to mail it, so it crosses the bus (the outbox row until relayed, the broker, " +
			"a dead letter if the consumer gives up). That is accepted because the token is good once, for one account and address, for 48 h at most " +
			"(1 h for a reset), and identity keeps only its hash. Consumers must never log it and must not keep it after sending: notify logs only the mail ID, " +
			"and blanks its stored mail once sent or given up."},
	{Type: EventPasswordResetRequested, Payload: emailTokenV1{},
		Description: "Someone asked to reset the password of the account: mail the address a link to choose a new one. " +
			"The url carries the token, handled as for verification_requested."},
}

// emailTokenV1 is the payload of the mail requests: what a mailer needs to
// send the link. URL is the web app's page with the token in its query; the
// token is good once, for the purpose, until ExpiresAt, and only while the
// account keeps this address (identity stores only its hash).
type emailTokenV1 struct {
	UserID      string    `json:"user_id" doc:"User ID (UUID)"`
	Email       string    `json:"email" doc:"Address to mail (the account's address when the token was made)"`
	DisplayName string    `json:"display_name" doc:"Name of the account, for the greeting"`
	URL         string    `json:"url" doc:"Link to mail: <public URL>/verify-email?token=… or /reset-password?token=…; secret, never log it"`
	ExpiresAt   time.Time `json:"expires_at" doc:"When the link stops working (RFC 3339, UTC)"`
}

// userV1 is the payload of every v1 user event: the account as
// administrators see it, never a password hash or a token. It is a published
// contract, apart from the HTTP view (userJSON) and the domain's User: keep
// its field names and types; a change that breaks them is a new version.
type userV1 struct {
	ID          string    `json:"id" doc:"User ID (UUID)"`
	Email       string    `json:"email" doc:"Sign-in email, lower-case"`
	DisplayName string    `json:"display_name" doc:"Name shown to others"`
	Roles       []string  `json:"roles" doc:"Roles: reader, author, moderator, admin"`
	Suspended   bool      `json:"suspended" doc:"A suspended user cannot sign in"`
	CreatedAt   time.Time `json:"created_at" doc:"When the account was created (RFC 3339, UTC)"`
	UpdatedAt   time.Time `json:"updated_at" doc:"When the account last changed (RFC 3339, UTC)"`
	Version     int64     `json:"version" doc:"Version; the ETag is its quoted value"`
}

func toUserV1(u User) userV1 {
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	return userV1{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Roles: roles, Suspended: u.Suspended,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(), Version: u.Version}
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
