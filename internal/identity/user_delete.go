package identity

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type userDeleteInput struct {
	ID string `path:"id" doc:"User ID"`
}

func (s *Service) registerUserDelete(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID:   "user-delete",
		Method:        http.MethodDelete,
		Path:          "/v1/users/{id}",
		Summary:       "Delete a user",
		Description:   "The user themself or an administrator. Deletes the account with its sessions and API tokens. The last administrator cannot be deleted.",
		Tags:          []string{"Users"},
		Security:      httpx.BearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *userDeleteInput) (*struct{}, error) {
		p, _, err := s.caller(ctx)
		if err != nil {
			return nil, err
		}
		if p.UserID != in.ID && !p.IsAdmin() {
			return nil, errs.Forbiddenf("you may delete only your own account")
		}
		if !validUserID(in.ID) {
			return nil, errNoSuchUser
		}
		if err := s.store.deleteUser(ctx, in.ID); err != nil {
			return nil, err
		}
		return &struct{}{}, nil
	})
}
