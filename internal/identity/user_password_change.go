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

// userPasswordChange needs a session's access token, as the other security
// settings do: a personal API token (even with write) must not be able to
// take the account over by changing its password.
func (s *Service) userPasswordChange(ctx context.Context, in *passwordChangeInput) (*struct{}, error) {
	_, u, err := s.sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.changePassword(ctx, u, in.Body.CurrentPassword, in.Body.NewPassword); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
