package identity

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type passwordChangeInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" maxLength:"1024" doc:"Your password now"`
		NewPassword     string `json:"new_password" maxLength:"1024" doc:"10 to 128 characters, not a common password, not your email"`
	}
}

func (s *Service) registerPasswordChange(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID:   "user-password-change",
		Method:        http.MethodPost,
		Path:          "/v1/users/me/password",
		Summary:       "Change your password",
		Description:   "Change the password and end every session (refresh token) of the account. At most 5 attempts per 15 minutes; a wrong current password counts as a failed sign-in.",
		Tags:          []string{"Users"},
		MaxBodyBytes:  httpx.MaxJSONBody,
		Security:      httpx.BearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests},
	}, func(ctx context.Context, in *passwordChangeInput) (*struct{}, error) {
		_, u, err := s.caller(ctx)
		if err != nil {
			return nil, err
		}
		if err := s.changePassword(ctx, u, in.Body.CurrentPassword, in.Body.NewPassword); err != nil {
			return nil, err
		}
		return &struct{}{}, nil
	})
}
