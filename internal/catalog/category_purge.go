package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// categoryPurge deletes a category for good; admins only.
func (s *Service) categoryPurge(ctx context.Context, in *CategoryPath) (*noContent, error) {
	if err := domain.CanPurge(actorOf(ctx)); err != nil {
		return nil, err
	}
	if err := s.store.PurgeCategory(ctx, in.ID, domain.Now()); err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
