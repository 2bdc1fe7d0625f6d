package identity

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

func (s *Service) userMeGet(ctx context.Context, _ *struct{}) (*userOutput, error) {
	_, u, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	return newUserOutput(u), nil
}

type meUpdateInput struct {
	IfMatch string `header:"If-Match" doc:"ETag from the last read; the update fails with 412 if the account changed since"`
	Body    struct {
		DisplayName *string `json:"display_name,omitempty" maxLength:"400" doc:"Name shown to others, 1 to 100 characters"`
	}
}

func (s *Service) userMeUpdate(ctx context.Context, in *meUpdateInput) (*userOutput, error) {
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
}
