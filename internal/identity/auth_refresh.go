package identity

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type refreshInput struct {
	Body struct {
		RefreshToken string `json:"refresh_token" minLength:"1" maxLength:"200" doc:"The refresh token from the last sign-in or refresh"`
	}
}

func (s *Service) registerTokenRefresh(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "token-refresh",
		Method:      http.MethodPost,
		Path:        "/v1/auth/refresh",
		Summary:     "Refresh a session",
		Description: "Spend a refresh token for a new access token and a new refresh token. " +
			"Each refresh token works once: presenting one again revokes the whole session.",
		Tags:         []string{"Auth"},
		MaxBodyBytes: httpx.MaxJSONBody,
		Errors:       []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, in *refreshInput) (*tokenOutput, error) {
		pair, err := s.refresh(ctx, in.Body.RefreshToken)
		if err != nil {
			return nil, err
		}
		return newTokenOutput(pair), nil
	})
}
