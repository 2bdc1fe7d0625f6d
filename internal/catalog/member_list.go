package catalog

import (
	"context"
)

type memberListOutput struct {
	Body struct {
		Items         []authorMemberJSON `json:"items" doc:"Every member (an author has few)"`
		NextPageToken string             `json:"next_page_token,omitempty" doc:"Always absent: the list fits one page"`
	}
}

// memberList lists an author's members to its members and moderators.
func (s *Service) memberList(ctx context.Context, in *AuthorPath) (*memberListOutput, error) {
	members, err := s.authorMembers(ctx, actorOf(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	out := &memberListOutput{}
	out.Body.Items = memberViews(members)
	return out, nil
}
