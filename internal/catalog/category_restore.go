package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// categoryRestore brings back a removed category whose parent is active.
func (s *Service) categoryRestore(ctx context.Context, in *CategoryPath) (*categoryGetOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.store.UpdateCategory(ctx, in.ID, func(tx *Store, c *domain.Category) error {
		parentActive := true
		if c.ParentID != nil {
			p, err := tx.Category(ctx, *c.ParentID)
			if err != nil {
				return err
			}
			parentActive = p.Status == domain.StatusActive
		}
		return c.Restore(actor, parentActive, s.now())
	})
	if err != nil {
		return nil, err
	}
	return &categoryGetOutput{ETag: httpx.ETag(c.Version), Body: categoryView(c)}, nil
}
