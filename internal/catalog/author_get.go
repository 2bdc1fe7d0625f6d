package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// AuthorPath names an author in the path.
type AuthorPath struct {
	ID string `path:"id" doc:"Author ID"`
}

type authorGetOutput struct {
	ETag string `header:"ETag" doc:"The author's version"`
	Body domain.Author
}

// authorGet reads one author; removed ones only for members and moderators.
func (s *Service) authorGet(ctx context.Context, in *AuthorPath) (*authorGetOutput, error) {
	a, err := s.store.Author(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if !a.VisibleTo(actorOf(ctx)) {
		return nil, errs.NotFoundf("author %s not found", in.ID)
	}
	return &authorGetOutput{ETag: etag(a.Version), Body: a}, nil
}
