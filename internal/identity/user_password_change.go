package identity

import (
	"context"
)

type passwordChangeInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" maxLength:"1024" doc:"Your password now"`
		NewPassword     string `json:"new_password" maxLength:"1024" doc:"10 to 128 characters, not a common password, not your email"`
	}
}

func (s *Service) userPasswordChange(ctx context.Context, in *passwordChangeInput) (*struct{}, error) {
	_, u, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.changePassword(ctx, u, in.Body.CurrentPassword, in.Body.NewPassword); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
