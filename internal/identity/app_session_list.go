package identity

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Session methods, how a session began.
const (
	sessionByPassword = "password"
	sessionByBrowser  = "browser"
)

type methodKey struct{}

// withMethod says how the session a request starts begins.
func withMethod(ctx context.Context, m string) context.Context {
	return context.WithValue(ctx, methodKey{}, m)
}

func methodOf(ctx context.Context) string {
	if m, ok := ctx.Value(methodKey{}).(string); ok {
		return m
	}
	return sessionByPassword
}

// listSessions returns the user's live sessions.
func (s *Service) listSessions(ctx context.Context, userID string) ([]sessionRow, error) {
	return s.store.liveSessions(ctx, userID, s.now())
}

// endSession ends one of the user's sessions.
func (s *Service) endSession(ctx context.Context, userID, id string) error {
	if !validUserID(id) {
		return errs.NotFoundf("no such session among yours")
	}
	return s.store.endSession(ctx, userID, id, s.now())
}

// endSessions ends every session of the caller, or every other one. As for
// sign-out, the access token must be a session's: one exchanged for a
// personal API token cannot end the user's sessions.
func (s *Service) endSessions(ctx context.Context, p auth.Principal, keepCurrent bool) error {
	if p.SessionID == "" {
		return errs.Forbiddenf("ending sessions needs a session's access token; a token exchanged for a personal API token cannot")
	}
	keep := ""
	if keepCurrent {
		keep = p.SessionID
	}
	return s.store.endOtherSessions(ctx, p.UserID, keep, s.now())
}
