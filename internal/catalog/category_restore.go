package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// categoryRestore brings back a removed category whose parent is active.
func (s *Service) categoryRestore(ctx context.Context, in *CategoryPath) (*categoryGetOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.restoreCategory(ctx, actor, in.ID)
	if err != nil {
		return nil, err
	}
	return &categoryGetOutput{ETag: httpx.ETag(c.Version), Body: categoryView(c)}, nil
}
