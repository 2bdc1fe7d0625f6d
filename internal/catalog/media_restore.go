package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// mediaRestore returns a removed item to its previous status; moderators only.
func (s *Service) mediaRestore(ctx context.Context, in *MediaPath) (*mediaGetOutput, error) {
	actor, err := requireActor(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.store.UpdateMedia(ctx, in.ID, nil, nil, func(m *domain.Media, refs domain.References) error {
		return m.Restore(actor, refs.Authors, domain.Now())
	})
	if err != nil {
		return nil, err
	}
	return &mediaGetOutput{ETag: etag(m.Version), Body: m}, nil
}
