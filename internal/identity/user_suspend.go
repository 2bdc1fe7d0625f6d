package identity

import (
	"context"
)

type userSuspendInput struct {
	ID   string `path:"id" doc:"User ID"`
	Body *struct {
		Reason string `json:"reason,omitempty" maxLength:"500" doc:"Why the account is suspended (kept in the logs)"`
	} `required:"false"`
}

func (s *Service) userSuspend(ctx context.Context, in *userSuspendInput) (*userOutput, error) {
	p, _, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	reason := ""
	if in.Body != nil {
		reason = in.Body.Reason
	}
	u, err := s.suspendUser(ctx, p, in.ID, true, reason)
	if err != nil {
		return nil, err
	}
	return newUserOutput(u), nil
}
