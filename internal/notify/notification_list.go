package notify

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type notificationListInput struct {
	PageSize   int    `query:"page_size" minimum:"1" maximum:"100" default:"20" doc:"Items per page (1..100)"`
	PageToken  string `query:"page_token" maxLength:"1024" doc:"next_page_token of the previous page"`
	UnreadOnly bool   `query:"unread_only" doc:"Only unread notifications"`
}

type notificationListOutput struct {
	Body struct {
		Items         []notificationJSON `json:"items" doc:"One page of your notifications, newest first"`
		NextPageToken string             `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
	}
}

type inboxPosition struct {
	ID string `json:"id"`
}

// notificationList pages through the caller's inbox.
func (s *Service) notificationList(ctx context.Context, in *notificationListInput) (*notificationListOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	size := httpx.PageSize(in.PageSize)
	var pos inboxPosition
	if in.PageToken != "" {
		if err := httpx.DecodePageToken(in.PageToken, &pos); err != nil {
			return nil, err
		}
	}
	list, err := s.inbox(ctx, inboxQuery{UserID: p.UserID, Before: pos.ID, UnreadOnly: in.UnreadOnly, Limit: size})
	if err != nil {
		return nil, err
	}
	out := &notificationListOutput{}
	out.Body.Items = make([]notificationJSON, len(list))
	for i, n := range list {
		out.Body.Items[i] = notificationView(n)
	}
	if len(list) == size {
		out.Body.NextPageToken = httpx.EncodePageToken(inboxPosition{ID: list[len(list)-1].ID})
	}
	return out, nil
}
