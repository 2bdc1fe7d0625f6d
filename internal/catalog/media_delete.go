package catalog

import (
	"context"
)

// mediaDelete soft-deletes a media item (members of its authors, moderators).
func (s *Service) mediaDelete(ctx context.Context, in *MediaPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.removeMedia(ctx, actor, in.ID); err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
