package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// CategoryPath names a category in the path.
type CategoryPath struct {
	ID string `path:"id" doc:"Category ID"`
}

type categoryGetOutput struct {
	ETag string `header:"ETag" doc:"The category's version"`
	Body categoryJSON
}

// categoryGet reads one category; removed ones only for moderators.
func (s *Service) categoryGet(ctx context.Context, in *CategoryPath) (*categoryGetOutput, error) {
	c, err := s.category(ctx, actorOf(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &categoryGetOutput{ETag: httpx.ETag(c.Version), Body: categoryView(c)}, nil
}
