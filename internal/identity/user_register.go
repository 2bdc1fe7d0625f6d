package identity

import (
	"context"
)

type registerInput struct {
	Body struct {
		Email       string `json:"email" maxLength:"254" doc:"Sign-in email; stored lower-case"`
		Password    string `json:"password" maxLength:"1024" doc:"10 to 128 characters, not a common password, not your email"`
		DisplayName string `json:"display_name" maxLength:"400" doc:"Name shown to others, 1 to 100 characters"`
	}
}

func (s *Service) userCreate(ctx context.Context, in *registerInput) (*userOutput, error) {
	u, err := s.register(ctx, in.Body.Email, in.Body.Password, in.Body.DisplayName)
	if err != nil {
		return nil, err
	}
	return newUserOutput(u), nil
}
