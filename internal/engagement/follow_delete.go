package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// followDelete stops following; it succeeds when there was nothing to undo.
func (s *Service) followDelete(ctx context.Context, in *FollowPath) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.unfollow(ctx, p.UserID, in.Type, in.ID)
}
