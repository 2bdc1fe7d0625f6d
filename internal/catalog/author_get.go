package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// AuthorPath names an author in the path.
type AuthorPath struct {
	ID string `path:"id" doc:"Author ID"`
}

type authorGetOutput struct {
	ETag string `header:"ETag" doc:"The author's version"`
	Body authorJSON
}

// authorGet reads one author; removed ones only for members and moderators,
// and its members only for them too.
func (s *Service) authorGet(ctx context.Context, in *AuthorPath) (*authorGetOutput, error) {
	actor := actorOf(ctx)
	a, err := s.author(ctx, actor, in.ID)
	if err != nil {
		return nil, err
	}
	return &authorGetOutput{ETag: httpx.ETag(a.Version), Body: authorView(a, actor)}, nil
}
