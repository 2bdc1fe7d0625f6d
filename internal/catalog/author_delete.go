package catalog

import (
	"context"
)

// authorDelete soft-deletes an author (its owners, moderators); it and its media
// disappear for everyone but its members and moderators.
func (s *Service) authorDelete(ctx context.Context, in *AuthorPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.removeAuthor(ctx, actor, in.ID); err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
