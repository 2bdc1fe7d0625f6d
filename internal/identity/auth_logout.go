package identity

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type logoutInput struct {
	Body *struct {
		RefreshToken string `json:"refresh_token,omitempty" maxLength:"200" doc:"End only this session (works without an access token); omit to end all of yours"`
	} `required:"false"`
}

func (s *Service) registerLogout(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "session-delete",
		Method:      http.MethodPost,
		Path:        "/v1/auth/logout",
		Summary:     "Sign out",
		Description: "Revoke the session of the given refresh token (no access token needed: the refresh token proves the session), " +
			"or, with an access token and no refresh token, every session of the caller. The access token, if sent, must be a session's " +
			"(from a password sign-in or a refresh), not one exchanged for a personal API token (403). Identity refuses the access tokens " +
			"of an ended session at once; other services accept them until they expire.",
		Tags:          []string{"Auth"},
		MaxBodyBytes:  httpx.MaxJSONBody,
		Security:      httpx.OptionalBearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *logoutInput) (*struct{}, error) {
		_, signedIn := auth.FromContext(ctx)
		var token string
		if in.Body != nil {
			token = in.Body.RefreshToken
		}
		if err := s.logout(ctx, signedIn, token); err != nil {
			return nil, err
		}
		return &struct{}{}, nil
	})
}
