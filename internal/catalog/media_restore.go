package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// mediaRestore returns a removed item to its previous status; moderators only.
func (s *Service) mediaRestore(ctx context.Context, in *MediaPath) (*mediaGetOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.restoreMedia(ctx, actor, in.ID)
	if err != nil {
		return nil, err
	}
	return &mediaGetOutput{ETag: httpx.ETag(m.Version), Body: mediaView(m)}, nil
}
