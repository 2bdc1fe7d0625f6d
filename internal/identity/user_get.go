package identity

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type userGetInput struct {
	ID string `path:"id" doc:"User ID"`
}

// userLookupJSON is a user as anyone may see it: administrators and the user
// get every field, everyone else only id and display_name of an active user
// (other services use this to check that a user exists).
type userLookupJSON struct {
	ID          string     `json:"id" doc:"User ID (UUID)"`
	DisplayName string     `json:"display_name" doc:"Name shown to others"`
	Email       string     `json:"email,omitempty" doc:"Only for the user and administrators"`
	Roles       []string   `json:"roles,omitempty" doc:"Only for the user and administrators"`
	Suspended   *bool      `json:"suspended,omitempty" doc:"Only for the user and administrators"`
	CreatedAt   *time.Time `json:"created_at,omitempty" doc:"Only for the user and administrators"`
	UpdatedAt   *time.Time `json:"updated_at,omitempty" doc:"Only for the user and administrators"`
	Version     *int64     `json:"version,omitempty" doc:"Only for the user and administrators"`
}

type userGetOutput struct {
	ETag string `header:"ETag" doc:"Current version (full view only)"`
	Body userLookupJSON
}

func (s *Service) registerUserGet(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "user-get",
		Method:      http.MethodGet,
		Path:        "/v1/users/{id}",
		Summary:     "Get a user",
		Description: "Administrators and the user see the whole account; anyone else sees only id and display_name of an active user.",
		Tags:        []string{"Users"},
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *userGetInput) (*userGetOutput, error) {
		if !validUserID(in.ID) {
			return nil, errNoSuchUser
		}
		u, err := s.store.userByID(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		// The full view goes to the account itself and to administrators as
		// they are now; any other caller (a token of a suspended or demoted
		// account included) gets the public view.
		_, signedIn := auth.FromContext(ctx)
		p, _, cerr := s.caller(ctx)
		if signedIn && cerr == nil && (p.UserID == u.ID || p.IsAdmin()) {
			full := toUserJSON(u)
			return &userGetOutput{ETag: httpx.ETag(u.Version), Body: userLookupJSON{ID: full.ID, DisplayName: full.DisplayName,
				Email: full.Email, Roles: full.Roles, Suspended: &full.Suspended, CreatedAt: &full.CreatedAt,
				UpdatedAt: &full.UpdatedAt, Version: &full.Version}}, nil
		}
		if u.Suspended {
			return nil, errNoSuchUser
		}
		return &userGetOutput{Body: userLookupJSON{ID: u.ID, DisplayName: u.DisplayName}}, nil
	})
}
