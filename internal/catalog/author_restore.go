package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// authorRestore undoes a soft delete: moderators, or owners when the owners
// removed the author.
func (s *Service) authorRestore(ctx context.Context, in *AuthorPath) (*authorGetOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.restoreAuthor(ctx, actor, in.ID)
	if err != nil {
		return nil, err
	}
	return &authorGetOutput{ETag: httpx.ETag(a.Version), Body: authorView(a, actor)}, nil
}
