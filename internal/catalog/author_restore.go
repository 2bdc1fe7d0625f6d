package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// authorRestore undoes a soft delete; moderators only.
func (s *Service) authorRestore(ctx context.Context, in *AuthorPath) (*authorGetOutput, error) {
	actor, err := requireActor(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.store.UpdateAuthor(ctx, in.ID, func(a *domain.Author) error { return a.Restore(actor, domain.Now()) })
	if err != nil {
		return nil, err
	}
	return &authorGetOutput{ETag: etag(a.Version), Body: a}, nil
}
