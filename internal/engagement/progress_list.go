package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type progressListInput struct {
	State string `query:"state" enum:"in_progress,finished" default:"in_progress" doc:"in_progress: continue listening, reading, watching; finished: 95 % or more"`
	PageParams
}

type progressListOutput struct {
	Body struct {
		Items         []progressJSON `json:"items" doc:"One page, most recently reported first"`
		NextPageToken string         `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
	}
}

// progressList pages through the caller's items in one state.
func (s *Service) progressList(ctx context.Context, in *progressListInput) (*progressListOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	var after *progressPosition
	if in.PageToken != "" {
		after = &progressPosition{}
		if err := httpx.DecodePageToken(in.PageToken, after); err != nil {
			return nil, err
		}
	}
	list, err := s.store.progressList(ctx, p.UserID, in.State == "finished", after, in.size())
	if err != nil {
		return nil, err
	}
	out := &progressListOutput{}
	out.Body.Items = make([]progressJSON, len(list))
	for i, pr := range list {
		out.Body.Items[i] = progressView(pr)
	}
	if len(list) == in.size() {
		last := list[len(list)-1]
		out.Body.NextPageToken = httpx.EncodePageToken(progressPosition{ClientTime: last.ClientTime, MediaID: last.MediaID})
	}
	return out, nil
}
