package catalog

import (
	"context"
)

// authorPurge deletes an author for good (admins), with its members, its
// credits, and the media it was the only author of.
func (s *Service) authorPurge(ctx context.Context, in *AuthorPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.purgeAuthor(ctx, actor, in.ID); err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
