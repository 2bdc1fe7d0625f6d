package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// categoryDelete soft-deletes a category without active subcategories.
func (s *Service) categoryDelete(ctx context.Context, in *CategoryPath) (*noContent, error) {
	actor, err := requireActor(ctx)
	if err != nil {
		return nil, err
	}
	err = s.store.Tx(ctx, func(tx *Store) error {
		c, err := tx.Category(ctx, in.ID)
		if err != nil {
			return err
		}
		children, err := tx.ActiveChildren(ctx, c.ID)
		if err != nil {
			return err
		}
		prev := c.Version
		if err := c.Remove(actor, children, domain.Now()); err != nil || c.Version == prev {
			return err
		}
		return tx.SaveCategory(ctx, c, prev)
	})
	if err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
