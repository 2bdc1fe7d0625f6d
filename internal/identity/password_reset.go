package identity

import (
	"context"
)

type passwordResetInput struct {
	Body struct {
		Email string `json:"email" maxLength:"254" doc:"The account's sign-in email"`
	}
}

func (s *Service) passwordReset(ctx context.Context, in *passwordResetInput) (*struct{}, error) {
	if err := s.requestPasswordReset(ctx, in.Body.Email); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

type passwordResetConfirmInput struct {
	Body struct {
		Token       string `json:"token" maxLength:"200" doc:"Token from the reset link"`
		NewPassword string `json:"new_password" maxLength:"1024" doc:"10 to 128 characters, not a common password, not your email"`
	}
}

func (s *Service) passwordResetConfirm(ctx context.Context, in *passwordResetConfirmInput) (*struct{}, error) {
	if err := s.confirmPasswordReset(ctx, in.Body.Token, in.Body.NewPassword); err != nil {
		return nil, tokenProblem(ctx, err)
	}
	return &struct{}{}, nil
}
