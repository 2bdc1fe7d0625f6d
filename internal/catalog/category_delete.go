package catalog

import (
	"context"
)

// categoryDelete soft-deletes a category without active subcategories.
func (s *Service) categoryDelete(ctx context.Context, in *CategoryPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.removeCategory(ctx, actor, in.ID); err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
