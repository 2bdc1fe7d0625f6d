package identity

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type logoutInput struct {
	Body *struct {
		RefreshToken string `json:"refresh_token,omitempty" maxLength:"200" doc:"End only this session (works without an access token); omit to end all of yours"`
	} `required:"false"`
}

func (s *Service) sessionDelete(ctx context.Context, in *logoutInput) (*struct{}, error) {
	_, signedIn := auth.FromContext(ctx)
	var token string
	if in.Body != nil {
		token = in.Body.RefreshToken
	}
	if err := s.logout(ctx, signedIn, token); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
