package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// createCategory creates a category (moderators) under an active parent.
func (s *Service) createCategory(ctx context.Context, actor domain.Actor, f domain.CategoryFields) (domain.Category, error) {
	c, err := domain.NewCategory(actor, f, s.now())
	if err != nil {
		return domain.Category{}, err
	}
	err = s.store.Tx(ctx, func(tx *Store) error {
		if c.ParentID != nil {
			// The parent must stay active and in place until this commits.
			if err := tx.lockTree(ctx); err != nil {
				return err
			}
		}
		if err := tx.checkParent(ctx, c); err != nil {
			return err
		}
		return tx.CreateCategory(ctx, c)
	})
	if err != nil {
		return domain.Category{}, err
	}
	return c, nil
}

// category reads a category; removed ones only for moderators.
func (s *Service) category(ctx context.Context, actor domain.Actor, id string) (domain.Category, error) {
	c, err := s.store.Category(ctx, id)
	if err != nil {
		return domain.Category{}, err
	}
	if !c.VisibleTo(actor) {
		return domain.Category{}, errs.NotFoundf("category %s not found", id)
	}
	return c, nil
}

// listCategories pages through the categories q selects.
func (s *Service) listCategories(ctx context.Context, q CategoryQuery) ([]domain.Category, string, error) {
	return s.store.ListCategories(ctx, q)
}

// updateCategory edits or moves a category at version expect (0: any).
func (s *Service) updateCategory(ctx context.Context, actor domain.Actor, id string, f domain.CategoryFields, expect int64) (domain.Category, error) {
	return s.store.UpdateCategory(ctx, id, func(tx *Store, c *domain.Category) error {
		if err := c.Update(actor, f, expect, s.now()); err != nil {
			return err
		}
		if f.ParentID != nil {
			return tx.checkParent(ctx, *c)
		}
		return nil
	})
}

// removeCategory soft-deletes a category without active children.
func (s *Service) removeCategory(ctx context.Context, actor domain.Actor, id string) error {
	_, err := s.store.UpdateCategory(ctx, id, func(tx *Store, c *domain.Category) error {
		children, err := tx.ActiveChildren(ctx, c.ID)
		if err != nil {
			return err
		}
		return c.Remove(actor, children, s.now())
	})
	return err
}

// restoreCategory restores a removed category.
func (s *Service) restoreCategory(ctx context.Context, actor domain.Actor, id string) (domain.Category, error) {
	return s.store.UpdateCategory(ctx, id, func(tx *Store, c *domain.Category) error {
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
}

// purgeCategory deletes a category permanently (administrators).
func (s *Service) purgeCategory(ctx context.Context, actor domain.Actor, id string) error {
	if err := domain.CanPurge(actor); err != nil {
		return err
	}
	return s.store.PurgeCategory(ctx, id, s.now())
}
