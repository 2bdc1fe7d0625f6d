package identity

import (
	"context"
)

type sessionDeleteInput struct {
	ID string `path:"id" maxLength:"36" doc:"Session ID (from GET /v1/users/me/sessions)"`
}

func (s *Service) sessionEnd(ctx context.Context, in *sessionDeleteInput) (*struct{}, error) {
	p, _, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.endSession(ctx, p.UserID, in.ID); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

type sessionsDeleteInput struct {
	KeepCurrent bool `query:"keep_current" doc:"Keep the session of the access token sent (sign out everywhere else)"`
}

func (s *Service) sessionEndAll(ctx context.Context, in *sessionsDeleteInput) (*struct{}, error) {
	p, _, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.endSessions(ctx, p, in.KeepCurrent); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
