package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// mediaRestore returns a removed item to its previous status; moderators only.
func (s *Service) mediaRestore(ctx context.Context, in *MediaPath) (*mediaGetOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.store.UpdateMedia(ctx, in.ID, nil, nil, func(m *domain.Media, refs domain.References) error {
		return m.Restore(actor, refs.Authors, s.now())
	})
	if err != nil {
		return nil, err
	}
	return &mediaGetOutput{ETag: httpx.ETag(m.Version), Body: mediaView(m)}, nil
}
