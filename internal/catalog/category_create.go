package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
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
	c, err := s.createCategory(ctx, actor, domain.CategoryFields{Name: &b.Name, Slug: &b.Slug, Description: &b.Description,
		ParentID: &b.ParentID})
	if err != nil {
		return nil, err
	}
	return &categoryOutput{ETag: httpx.ETag(c.Version), Location: "/v1/categories/" + c.ID, Body: categoryView(c)}, nil
}
