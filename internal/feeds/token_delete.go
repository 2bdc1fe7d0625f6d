package feeds

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type tokenPath struct {
	ID string `path:"id" doc:"Token ID"`
}

// tokenDelete is DELETE /v1/feeds/tokens/{id}: revokes the token.
func (s *Service) tokenDelete(ctx context.Context, in *tokenPath) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.revokeToken(ctx, p.UserID, in.ID)
}
