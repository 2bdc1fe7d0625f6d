package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type reportListInput struct {
	State string `query:"state" enum:"open,resolved" default:"open" doc:"open (default) or resolved"`
	PageParams
}

type reportListOutput struct {
	Body struct {
		Items         []reportJSON `json:"items" doc:"One page of reports, oldest first"`
		NextPageToken string       `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
	}
}

// reportList pages through the reports (moderators).
func (s *Service) reportList(ctx context.Context, in *reportListInput) (*reportListOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Has(auth.RoleModerator) {
		return nil, errs.Forbiddenf("only moderators see reports")
	}
	var after *reportPosition
	if in.PageToken != "" {
		after = &reportPosition{}
		if err := httpx.DecodePageToken(in.PageToken, after); err != nil {
			return nil, err
		}
	}
	list, err := s.store.reports(ctx, in.State, after, in.size())
	if err != nil {
		return nil, err
	}
	out := &reportListOutput{}
	out.Body.Items = make([]reportJSON, len(list))
	for i, r := range list {
		out.Body.Items[i] = reportView(r)
	}
	if len(list) == in.size() {
		last := list[len(list)-1]
		out.Body.NextPageToken = httpx.EncodePageToken(reportPosition{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	return out, nil
}
