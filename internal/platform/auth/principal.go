// Package auth verifies access tokens locally and carries the caller through
// the request context. Identity signs tokens; every service, in any process,
// verifies them with the public keys from identity's JWKS, with no call to
// identity per request.
package auth

import (
	"context"
	"slices"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Roles a user may hold.
const (
	RoleReader    = "reader"
	RoleAuthor    = "author"
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

// AllRoles lists the roles in order of increasing power.
var AllRoles = []string{RoleReader, RoleAuthor, RoleModerator, RoleAdmin}

// Scopes limit what a token may do, whatever the user's roles. Tokens from a
// password sign-in carry all of them; personal API tokens carry those chosen
// when the token was made.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
	ScopeAdmin = "admin"
	// ScopeProgressWrite lets a device report reading and listening
	// progress (engagement's MQTT topic), and nothing else.
	ScopeProgressWrite = "progress:write"
	// ScopeFeedsRead lets a feed reader fetch a user's private feeds.
	ScopeFeedsRead = "feeds:read"
)

// AllScopes lists every scope.
var AllScopes = []string{ScopeRead, ScopeWrite, ScopeAdmin, ScopeProgressWrite, ScopeFeedsRead}

// Issuer and Audience are the iss and aud of every access token.
const (
	Issuer   = "alexandria"
	Audience = "alexandria"
)

// Principal is the verified caller.
type Principal struct {
	UserID  string
	Roles   []string
	Scopes  []string
	TokenID string
	// SessionID is the sign-in session (refresh token family) a token was
	// issued for; empty for tokens exchanged for a personal API token.
	SessionID string
	// Version is the account's version when the token was issued (the uv
	// claim); revocations refuse tokens older than a change (revocations.go).
	Version int64
}

// Has reports whether the caller holds role; admins hold every role.
func (p Principal) Has(role string) bool {
	return slices.Contains(p.Roles, role) || slices.Contains(p.Roles, RoleAdmin)
}

// Can reports whether the token's scopes allow scope.
func (p Principal) Can(scope string) bool { return slices.Contains(p.Scopes, scope) }

// IsAdmin reports an admin whose token may use admin powers.
func (p Principal) IsAdmin() bool {
	return slices.Contains(p.Roles, RoleAdmin) && p.Can(ScopeAdmin)
}

// IsModerator reports a moderator (or admin) acting with a full-power token.
func (p Principal) IsModerator() bool {
	return p.Has(RoleModerator) && p.Can(ScopeWrite)
}

type principalKey struct{}

// WithPrincipal stores the verified caller in ctx.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the caller, or false for an anonymous request.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Require returns the caller or an Unauthenticated error.
func Require(ctx context.Context) (Principal, error) {
	p, ok := FromContext(ctx)
	if !ok {
		return Principal{}, errs.Unauthenticatedf("sign in first: send Authorization: Bearer <access token>")
	}
	return p, nil
}

// RequireAdmin returns the caller if it is an admin with an admin-scoped token.
func RequireAdmin(ctx context.Context) (Principal, error) {
	p, err := Require(ctx)
	if err != nil {
		return p, err
	}
	if !p.IsAdmin() {
		return p, errs.Forbiddenf("only administrators may do this")
	}
	return p, nil
}
