package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type authorListInput struct {
	Q        string `query:"q" maxLength:"200" doc:"Only authors whose name contains this (case-insensitive)"`
	MemberID string `query:"member_id" doc:"Only authors this user is a member of; me for yourself. Memberships are visible to the author's members and moderators only: for another user you get the authors you share with them"`
	Status   string `query:"status" enum:"active,removed" doc:"active (default); removed lists moderators all and members their own"`
	OrderBy  string `query:"order_by" enum:"newest,oldest,name" default:"newest" doc:"Order of the list"`
	PageParams
}

type authorListOutput struct {
	Body struct {
		Items         []authorJSON `json:"items" doc:"One page of authors"`
		NextPageToken string       `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
	}
}

// authorList pages through the authors the caller may see.
func (s *Service) authorList(ctx context.Context, in *authorListInput) (*authorListOutput, error) {
	actor := actorOf(ctx)
	if in.MemberID == "me" {
		if !actor.SignedIn() {
			return nil, errs.Unauthenticatedf("sign in to list your own authors")
		}
		in.MemberID = actor.UserID
	}
	var v errs.Validation
	httpx.CheckQueryText(&v, "q", in.Q)
	checkQueryID(&v, "member_id", in.MemberID)
	if err := v.Err(); err != nil {
		return nil, err
	}
	spec, ok := authorOrders[in.OrderBy]
	if !ok {
		spec = authorOrders["newest"]
	}
	after, err := decodePosition(in.PageToken, spec)
	if err != nil {
		return nil, err
	}
	items, next, err := s.listAuthors(ctx, AuthorQuery{Actor: actor, Name: in.Q, MemberID: in.MemberID,
		Status: in.Status, Order: spec, After: after, Size: in.size()})
	if err != nil {
		return nil, err
	}
	out := &authorListOutput{}
	out.Body.Items, out.Body.NextPageToken = authorViews(items, actor), next
	return out, nil
}
