package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// authorPurge deletes an author for good (admins), with its members, its
// credits, and the media it was the only author of.
func (s *Service) authorPurge(ctx context.Context, in *AuthorPath) (*noContent, error) {
	if err := domain.CanPurge(actorOf(ctx)); err != nil {
		return nil, err
	}
	if err := s.store.PurgeAuthor(ctx, in.ID, domain.Now()); err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
