package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// likePut likes a visible item; liking again changes nothing.
func (s *Service) likePut(ctx context.Context, in *MediaPath) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.like(ctx, p.UserID, in.ID, true)
}
