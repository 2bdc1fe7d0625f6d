package identity

import (
	"context"
)

type userReinstateInput struct {
	ID string `path:"id" doc:"User ID"`
}

func (s *Service) userReinstate(ctx context.Context, in *userReinstateInput) (*userOutput, error) {
	p, _, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.suspendUser(ctx, p, in.ID, false, "")
	if err != nil {
		return nil, err
	}
	return newUserOutput(u), nil
}
