package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// categoryRestore brings back a removed category whose parent is active.
func (s *Service) categoryRestore(ctx context.Context, in *CategoryPath) (*categoryGetOutput, error) {
	actor, err := requireActor(ctx)
	if err != nil {
		return nil, err
	}
	var c domain.Category
	err = s.store.Tx(ctx, func(tx *Store) error {
		if c, err = tx.Category(ctx, in.ID); err != nil {
			return err
		}
		parentActive := true
		if c.ParentID != nil {
			p, err := tx.Category(ctx, *c.ParentID)
			if err != nil {
				return err
			}
			parentActive = p.Status == domain.StatusActive
		}
		prev := c.Version
		if err := c.Restore(actor, parentActive, domain.Now()); err != nil {
			return err
		}
		return tx.SaveCategory(ctx, c, prev)
	})
	if err != nil {
		return nil, err
	}
	return &categoryGetOutput{ETag: etag(c.Version), Body: c}, nil
}
