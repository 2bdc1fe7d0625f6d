package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// authorDelete soft-deletes an author (its owners, moderators); it and its media
// disappear for everyone but its members and moderators.
func (s *Service) authorDelete(ctx context.Context, in *AuthorPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	_, err = s.store.UpdateAuthor(ctx, in.ID, func(a *domain.Author) error { return a.Remove(actor, s.now()) })
	if err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
