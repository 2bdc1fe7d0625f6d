package identity

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type userUpdateInput struct {
	ID      string `path:"id" doc:"User ID"`
	IfMatch string `header:"If-Match" doc:"ETag from the last read; the update fails with 412 if the user changed since"`
	Body    struct {
		DisplayName *string   `json:"display_name,omitempty" maxLength:"400" doc:"Name shown to others"`
		Roles       *[]string `json:"roles,omitempty" maxItems:"4" doc:"New roles (reader, author, moderator, admin); reader is always kept"`
		Suspended   *bool     `json:"suspended,omitempty" doc:"Suspend (true) or reinstate (false); suspending ends the user's sessions"`
	}
}

func (s *Service) userUpdate(ctx context.Context, in *userUpdateInput) (*userOutput, error) {
	p, err := s.adminCaller(ctx)
	if err != nil {
		return nil, err
	}
	if !validUserID(in.ID) {
		return nil, errNoSuchUser
	}
	version, err := httpx.IfMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	u, err := s.updateUser(ctx, p, in.ID, version, userChange{
		DisplayName: in.Body.DisplayName, Roles: in.Body.Roles, Suspended: in.Body.Suspended})
	if err != nil {
		return nil, err
	}
	return newUserOutput(u), nil
}
