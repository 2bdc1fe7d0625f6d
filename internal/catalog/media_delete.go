package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// mediaDelete soft-deletes a media item (members of its authors, moderators).
func (s *Service) mediaDelete(ctx context.Context, in *MediaPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	_, err = s.store.UpdateMedia(ctx, in.ID, nil, nil, func(m *domain.Media, refs domain.References) error {
		return m.Remove(actor, refs.Authors, s.now())
	})
	if err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
