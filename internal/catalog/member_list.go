package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type memberListOutput struct {
	Body struct {
		Items         []domain.AuthorMember `json:"items" doc:"Every member (an author has few)"`
		NextPageToken string                `json:"next_page_token,omitempty" doc:"Always absent: the list fits one page"`
	}
}

// memberList lists an author's members, to whoever may see the author.
func (s *Service) memberList(ctx context.Context, in *AuthorPath) (*memberListOutput, error) {
	a, err := s.store.Author(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if !a.VisibleTo(actorOf(ctx)) {
		return nil, errs.NotFoundf("author %s not found", in.ID)
	}
	out := &memberListOutput{}
	out.Body.Items = a.Members
	return out, nil
}
