package identity

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type userListInput struct {
	Q         string `query:"q" maxLength:"254" doc:"Substring of the email or display name (case-insensitive)"`
	Role      string `query:"role" enum:"reader,author,moderator,admin" doc:"Only users with this role"`
	Suspended string `query:"suspended" enum:"true,false" doc:"Only suspended (true) or active (false) users"`
	PageSize  int    `query:"page_size" minimum:"1" maximum:"100" doc:"Items per page (default 20)"`
	PageToken string `query:"page_token" maxLength:"1024" doc:"next_page_token of the previous page"`
}

type userListOutput struct {
	Body struct {
		Items         []userJSON `json:"items" doc:"Users in creation order"`
		NextPageToken string     `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last page"`
	}
}

func (s *Service) userList(ctx context.Context, in *userListInput) (*userListOutput, error) {
	if _, err := s.adminCaller(ctx); err != nil {
		return nil, err
	}
	var v errs.Validation
	httpx.CheckQueryText(&v, "q", in.Q)
	if err := v.Err(); err != nil {
		return nil, err
	}
	after, err := decodeIDPosition(in.PageToken)
	if err != nil {
		return nil, err
	}
	f := userFilter{Query: in.Q, Role: in.Role}
	if in.Suspended != "" {
		suspended := in.Suspended == "true"
		f.Suspended = &suspended
	}
	size := httpx.PageSize(in.PageSize)
	users, next, err := s.listUsers(ctx, f, after, size)
	if err != nil {
		return nil, err
	}
	out := &userListOutput{}
	out.Body.Items, out.Body.NextPageToken = viewPage(users, next, toUserJSON)
	return out, nil
}
