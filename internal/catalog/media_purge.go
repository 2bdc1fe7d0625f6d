package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// mediaPurge deletes a media item for good; admins only.
func (s *Service) mediaPurge(ctx context.Context, in *MediaPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := domain.CanPurge(actor); err != nil {
		return nil, err
	}
	if err := s.store.PurgeMedia(ctx, in.ID); err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
