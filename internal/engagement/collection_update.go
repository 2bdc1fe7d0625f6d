package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type collectionUpdateInput struct {
	CollectionPath
	Body struct {
		Name        *string `json:"name,omitempty" maxLength:"200" doc:"New name (not for the saved collection)"`
		Description *string `json:"description,omitempty" maxLength:"2000" doc:"New description"`
		Visibility  *string `json:"visibility,omitempty" enum:"private,public" doc:"private or public"`
	}
}

// collectionUpdate edits the caller's collection.
func (s *Service) collectionUpdate(ctx context.Context, in *collectionUpdateInput) (*collectionOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.updateCollection(ctx, p.UserID, in.ID, domain.CollectionFields{Name: in.Body.Name,
		Description: in.Body.Description, Visibility: in.Body.Visibility})
	if err != nil {
		return nil, err
	}
	return &collectionOutput{Body: collectionView(c)}, nil
}
