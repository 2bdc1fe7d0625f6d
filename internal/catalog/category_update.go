package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

type categoryUpdateInput struct {
	CategoryPath
	IfMatchHeader
	Body struct {
		Name        *string `json:"name,omitempty" minLength:"1" maxLength:"100" doc:"Display name"`
		Slug        *string `json:"slug,omitempty" maxLength:"100" doc:"Unique slug"`
		Description *string `json:"description,omitempty" maxLength:"2000" doc:"Description"`
		ParentID    *string `json:"parent_id,omitempty" doc:"New parent; empty string moves the category to the top level"`
	}
}

// categoryUpdate edits or moves a category; moderators only. Moving it
// under one of its own descendants is refused.
func (s *Service) categoryUpdate(ctx context.Context, in *categoryUpdateInput) (*categoryGetOutput, error) {
	actor, err := requireActor(ctx)
	if err != nil {
		return nil, err
	}
	b := in.Body
	f := domain.CategoryFields{Name: b.Name, Slug: b.Slug, Description: b.Description, ParentID: b.ParentID}
	var c domain.Category
	err = s.store.Tx(ctx, func(tx *Store) error {
		if c, err = tx.Category(ctx, in.ID); err != nil {
			return err
		}
		prev := c.Version
		if err := c.Update(actor, f, expectedVersion(in.IfMatch), domain.Now()); err != nil {
			return err
		}
		if f.ParentID != nil {
			if err := tx.checkParent(ctx, c); err != nil {
				return err
			}
		}
		return tx.SaveCategory(ctx, c, prev)
	})
	if err != nil {
		return nil, err
	}
	return &categoryGetOutput{ETag: etag(c.Version), Body: c}, nil
}
