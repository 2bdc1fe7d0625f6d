package identity

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type userGetInput struct {
	ID string `path:"id" doc:"User ID"`
}

type userGetOutput struct {
	ETag string `header:"ETag" doc:"Current version (full view only)"`
	Body userLookupJSON
}

func (s *Service) userGet(ctx context.Context, in *userGetInput) (*userGetOutput, error) {
	u, err := s.getUser(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	// The full view goes to the account itself and to administrators as
	// they are now; any other caller (a token of a suspended or demoted
	// account included) gets the public view.
	_, signedIn := auth.FromContext(ctx)
	p, _, cerr := s.caller(ctx)
	if signedIn && cerr == nil && (p.UserID == u.ID || p.IsAdmin()) {
		return &userGetOutput{ETag: httpx.ETag(u.Version), Body: toFullUserLookupJSON(u)}, nil
	}
	if u.Suspended {
		return nil, errNoSuchUser
	}
	return &userGetOutput{Body: toPublicUserLookupJSON(u)}, nil
}
