package identity

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// apiTokenPrefix marks Alexandria API tokens, so secret scanners (and
// people) recognise a leaked one.
const apiTokenPrefix = "alx_"

const (
	defaultAPITokenDays = 90
	maxAPITokenDays     = 365
)

// newAPITokenRequest is what a caller asks for.
type newAPITokenRequest struct {
	Name          string
	Scopes        []string
	ExpiresInDays int
}

// createAPIToken makes a personal API token for the caller and returns it
// with its secret, which is never stored or shown again. A token can never
// do more than the token that made it: its scopes must be a subset of the
// caller's, and admin needs an admin.
func (s *Service) createAPIToken(ctx context.Context, p auth.Principal, req newAPITokenRequest) (APIToken, string, error) {
	var v errs.Validation
	name, reason := normalizeDisplayName(req.Name)
	v.Check(reason == "", "name", "%s", reason)
	var scopes []string
	for i, sc := range req.Scopes {
		if !slices.Contains(auth.AllScopes, sc) {
			v.Add("scopes["+strconv.Itoa(i)+"]", "unknown scope %q (use read, write, admin, progress:write, feeds:read)", sc)
		}
	}
	for _, sc := range auth.AllScopes {
		if slices.Contains(req.Scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	v.Check(len(req.Scopes) > 0, "scopes", "name at least one scope")
	days := req.ExpiresInDays
	if days == 0 {
		days = defaultAPITokenDays
	}
	maxDays := min(maxAPITokenDays, int(s.cfg.APITokenMaxTTL/(24*time.Hour)))
	v.Check(days >= 1 && days <= maxDays, "expires_in_days", "must be between 1 and %d", maxDays)
	if err := v.Err(); err != nil {
		return APIToken{}, "", err
	}
	u, err := s.store.userByID(ctx, p.UserID)
	if err != nil {
		return APIToken{}, "", err
	}
	for _, sc := range scopes {
		if sc == auth.ScopeAdmin && !u.IsAdmin() {
			return APIToken{}, "", errs.Forbiddenf("only administrators may create tokens with the admin scope")
		}
		if !p.Can(sc) {
			return APIToken{}, "", errs.Forbiddenf("your current token lacks the %s scope, so it cannot grant it", sc)
		}
	}
	secret, _, err := newSecret()
	if err != nil {
		return APIToken{}, "", err
	}
	secret = apiTokenPrefix + secret
	now := ts(s.now())
	t := APIToken{ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, Name: name, Scopes: scopes,
		CreatedAt: now, ExpiresAt: now.Add(time.Duration(days) * 24 * time.Hour)}
	if err := s.store.insertAPIToken(ctx, t, hashSecret(secret)); err != nil {
		return APIToken{}, "", err
	}
	return t, secret, nil
}

// listAPITokens answers up to size of the user's tokens after the one with
// id after, oldest first, and the id to continue after ("" on the last page).
func (s *Service) listAPITokens(ctx context.Context, userID, after string, size int) ([]APIToken, string, error) {
	tokens, err := s.store.listAPITokens(ctx, userID, after, size+1)
	if err != nil {
		return nil, "", err
	}
	return cutPage(tokens, size, func(t APIToken) string { return t.ID })
}

// deleteAPIToken revokes one of the user's tokens.
func (s *Service) deleteAPIToken(ctx context.Context, userID, id string) error {
	if !validUserID(id) {
		return errs.NotFoundf("no such API token")
	}
	return s.store.deleteAPIToken(ctx, userID, id)
}
