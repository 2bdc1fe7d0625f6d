package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type collectionCreateInput struct {
	Body struct {
		Name        string `json:"name" minLength:"1" maxLength:"200" doc:"Name"`
		Description string `json:"description,omitempty" maxLength:"2000" doc:"Description"`
		Visibility  string `json:"visibility,omitempty" enum:"private,public" doc:"private (default) or public"`
	}
}

type collectionOutput struct {
	Body collectionJSON
}

// collectionCreate makes a collection for the caller.
func (s *Service) collectionCreate(ctx context.Context, in *collectionCreateInput) (*collectionOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	f := domain.CollectionFields{Name: &in.Body.Name, Description: &in.Body.Description}
	if in.Body.Visibility != "" {
		f.Visibility = &in.Body.Visibility
	}
	c, err := s.createCollection(ctx, p.UserID, f)
	if err != nil {
		return nil, err
	}
	return &collectionOutput{Body: collectionView(c)}, nil
}
