package catalog

import (
	"context"
	"errors"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type categoryCreateInput struct {
	Body struct {
		Name        string `json:"name" minLength:"1" maxLength:"100" doc:"Display name"`
		Slug        string `json:"slug,omitempty" maxLength:"100" doc:"Unique slug; derived from the name when absent"`
		Description string `json:"description,omitempty" maxLength:"2000" doc:"Description"`
		ParentID    string `json:"parent_id,omitempty" doc:"Parent category; absent for the top level"`
	}
}

type categoryOutput struct {
	ETag     string `header:"ETag" doc:"The category's version"`
	Location string `header:"Location" doc:"Where the new category lives"`
	Body     categoryJSON
}

// categoryCreate adds a category to the tree; moderators only.
func (s *Service) categoryCreate(ctx context.Context, in *categoryCreateInput) (*categoryOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	b := in.Body
	c, err := domain.NewCategory(actor, domain.CategoryFields{Name: &b.Name, Slug: &b.Slug, Description: &b.Description,
		ParentID: &b.ParentID}, s.now())
	if err != nil {
		return nil, err
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
		return nil, err
	}
	return &categoryOutput{ETag: httpx.ETag(c.Version), Location: "/v1/categories/" + c.ID, Body: categoryView(c)}, nil
}

// checkParent verifies that c's parent exists, is active, and is not c
// itself or one of its descendants.
func (s *Store) checkParent(ctx context.Context, c domain.Category) error {
	if c.ParentID == nil {
		return nil
	}
	p, err := s.Category(ctx, *c.ParentID)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && p.Status != domain.StatusActive) {
		return errs.InvalidField("parent_id", "no such active category")
	}
	if err != nil {
		return err
	}
	ancestors, err := s.Ancestors(ctx, p.ID)
	if err != nil {
		return err
	}
	return c.CheckParent(ancestors)
}
