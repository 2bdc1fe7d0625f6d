package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// authorRestore undoes a soft delete: moderators, or owners when the owners
// removed the author.
func (s *Service) authorRestore(ctx context.Context, in *AuthorPath) (*authorGetOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.store.UpdateAuthor(ctx, in.ID, func(a *domain.Author) error { return a.Restore(actor, s.now()) })
	if err != nil {
		return nil, err
	}
	return &authorGetOutput{ETag: httpx.ETag(a.Version), Body: authorView(a, actor)}, nil
}
