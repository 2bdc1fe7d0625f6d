package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// categoryPurge deletes a category for good; admins only.
func (s *Service) categoryPurge(ctx context.Context, in *CategoryPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := domain.CanPurge(actor); err != nil {
		return nil, err
	}
	if err := s.store.PurgeCategory(ctx, in.ID, s.now()); err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
