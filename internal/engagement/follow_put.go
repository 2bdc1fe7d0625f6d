package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// FollowPath names a follow target.
type FollowPath struct {
	Type string `path:"type" enum:"author,category,tag" doc:"author, category or tag"`
	ID   string `path:"id" maxLength:"200" doc:"Author or category ID, or the tag"`
}

type followPutOutput struct {
	Body followJSON
}

// followPut follows a visible author, category or tag; following again
// changes nothing.
func (s *Service) followPut(ctx context.Context, in *FollowPath) (*followPutOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	f, err := s.follow(ctx, p.UserID, in.Type, in.ID)
	if err != nil {
		return nil, err
	}
	return &followPutOutput{Body: followView(f)}, nil
}
