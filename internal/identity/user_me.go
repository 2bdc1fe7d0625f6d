package identity

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

func (s *Service) registerUserMe(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "user-me-get",
		Method:      http.MethodGet,
		Path:        "/v1/users/me",
		Summary:     "Get your account",
		Tags:        []string{"Users"},
		Security:    httpx.BearerSecurity(),
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, _ *struct{}) (*userOutput, error) {
		_, u, err := s.caller(ctx)
		if err != nil {
			return nil, err
		}
		return newUserOutput(u), nil
	})
}

type meUpdateInput struct {
	IfMatch string `header:"If-Match" doc:"ETag from the last read; the update fails with 412 if the account changed since"`
	Body    struct {
		DisplayName *string `json:"display_name,omitempty" maxLength:"400" doc:"Name shown to others, 1 to 100 characters"`
	}
}

func (s *Service) registerUserMeUpdate(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID:  "user-me-update",
		Method:       http.MethodPatch,
		Path:         "/v1/users/me",
		Summary:      "Update your account",
		Tags:         []string{"Users"},
		MaxBodyBytes: httpx.MaxJSONBody,
		Security:     httpx.BearerSecurity(),
		Errors:       []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusPreconditionFailed, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *meUpdateInput) (*userOutput, error) {
		p, _, err := s.caller(ctx)
		if err != nil {
			return nil, err
		}
		version, err := httpx.IfMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		u, err := s.updateUser(ctx, p, p.UserID, version, userChange{DisplayName: in.Body.DisplayName})
		if err != nil {
			return nil, err
		}
		return newUserOutput(u), nil
	})
}
