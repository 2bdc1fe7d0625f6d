package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
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
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	expect, err := in.version()
	if err != nil {
		return nil, err
	}
	b := in.Body
	f := domain.CategoryFields{Name: b.Name, Slug: b.Slug, Description: b.Description, ParentID: b.ParentID}
	c, err := s.updateCategory(ctx, actor, in.ID, f, expect)
	if err != nil {
		return nil, err
	}
	return &categoryGetOutput{ETag: httpx.ETag(c.Version), Body: categoryView(c)}, nil
}
