package catalog

import (
	"context"
)

// categoryPurge deletes a category for good; admins only.
func (s *Service) categoryPurge(ctx context.Context, in *CategoryPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.purgeCategory(ctx, actor, in.ID); err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
