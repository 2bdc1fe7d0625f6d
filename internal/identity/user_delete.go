package identity

import (
	"context"
)

type userDeleteInput struct {
	ID string `path:"id" doc:"User ID"`
}

func (s *Service) userDelete(ctx context.Context, in *userDeleteInput) (*struct{}, error) {
	p, _, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.deleteUser(ctx, p, in.ID); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
