package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type feedGetInput struct {
	PageParams
}

type feedGetOutput struct {
	Body struct {
		Items         []feedItemJSON `json:"items" doc:"One page of published items from what you follow, newest first"`
		NextPageToken string         `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
	}
}

// feedGet pages through the caller's home feed.
func (s *Service) feedGet(ctx context.Context, in *feedGetInput) (*feedGetOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	var after *feedPosition
	if in.PageToken != "" {
		after = &feedPosition{}
		if err := httpx.DecodePageToken(in.PageToken, after); err != nil {
			return nil, err
		}
	}
	list, err := s.store.feed(ctx, p.UserID, after, in.size())
	if err != nil {
		return nil, err
	}
	out := &feedGetOutput{}
	out.Body.Items = make([]feedItemJSON, len(list))
	for i, it := range list {
		out.Body.Items[i] = feedView(it)
	}
	if len(list) == in.size() && len(list) > 0 {
		last := list[len(list)-1].Media
		out.Body.NextPageToken = httpx.EncodePageToken(feedPosition{PublishedAt: *last.PublishedAt, ID: last.ID})
	}
	return out, nil
}
