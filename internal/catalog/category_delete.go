package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// categoryDelete soft-deletes a category without active subcategories.
func (s *Service) categoryDelete(ctx context.Context, in *CategoryPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	_, err = s.store.UpdateCategory(ctx, in.ID, func(tx *Store, c *domain.Category) error {
		children, err := tx.ActiveChildren(ctx, c.ID)
		if err != nil {
			return err
		}
		return c.Remove(actor, children, s.now())
	})
	if err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
