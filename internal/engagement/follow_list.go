package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type followListInput struct {
	Type string `query:"type" enum:"author,category,tag" doc:"Only follows of this type"`
	PageParams
}

type followListOutput struct {
	Body struct {
		Items         []followJSON `json:"items" doc:"One page of follows, by type then ID"`
		NextPageToken string       `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
	}
}

// followList pages through the caller's follows.
func (s *Service) followList(ctx context.Context, in *followListInput) (*followListOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	var after *followPosition
	if in.PageToken != "" {
		after = &followPosition{}
		if err := httpx.DecodePageToken(in.PageToken, after); err != nil {
			return nil, err
		}
	}
	list, err := s.store.follows(ctx, p.UserID, in.Type, after, in.size())
	if err != nil {
		return nil, err
	}
	out := &followListOutput{}
	out.Body.Items = make([]followJSON, len(list))
	for i, f := range list {
		out.Body.Items[i] = followView(f)
	}
	if len(list) == in.size() {
		last := list[len(list)-1]
		out.Body.NextPageToken = httpx.EncodePageToken(followPosition{Type: last.TargetType, ID: last.TargetID})
	}
	return out, nil
}
