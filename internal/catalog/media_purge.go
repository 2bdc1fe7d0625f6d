package catalog

import (
	"context"
)

// mediaPurge deletes a media item for good; admins only.
func (s *Service) mediaPurge(ctx context.Context, in *MediaPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.purgeMedia(ctx, actor, in.ID); err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
