package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type memberListOutput struct {
	Body struct {
		Items         []authorMemberJSON `json:"items" doc:"Every member (an author has few)"`
		NextPageToken string             `json:"next_page_token,omitempty" doc:"Always absent: the list fits one page"`
	}
}

// memberList lists an author's members to its members and moderators.
func (s *Service) memberList(ctx context.Context, in *AuthorPath) (*memberListOutput, error) {
	a, err := s.store.Author(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	if !a.VisibleTo(actor) {
		return nil, errs.NotFoundf("author %s not found", in.ID)
	}
	if !a.MembersVisibleTo(actor) {
		if !actor.SignedIn() {
			return nil, errs.Unauthenticatedf("sign in as a member of the author to see its members")
		}
		return nil, errs.Forbiddenf("only the author's members and moderators may see its members")
	}
	out := &memberListOutput{}
	out.Body.Items = memberViews(a.Members)
	return out, nil
}
