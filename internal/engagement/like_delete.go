package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// likeDelete takes back a like of a visible item.
func (s *Service) likeDelete(ctx context.Context, in *MediaPath) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.like(ctx, p.UserID, in.ID, false)
}
