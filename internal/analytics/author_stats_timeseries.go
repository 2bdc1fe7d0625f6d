package analytics

import (
	"context"
	"sort"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// TimeseriesParams select an author, a range and a bucket size.
type TimeseriesParams struct {
	ID       string `path:"id" doc:"Author ID"`
	From     string `query:"from" required:"true" doc:"Start of the range (RFC 3339), rounded down to the interval"`
	To       string `query:"to" required:"true" doc:"End of the range (RFC 3339, exclusive), rounded up to the interval"`
	Interval string `query:"interval" default:"day" doc:"hour or day"`
}

type timeseriesOutput struct {
	Body timeseriesJSON
}

// authorStatsTimeseries reads an author's statistics (members only).
func (s *Service) authorStatsTimeseries(ctx context.Context, in *TimeseriesParams) (*timeseriesOutput, error) {
	var v errs.Validation
	from, err := time.Parse(time.RFC3339, in.From)
	v.Check(err == nil, "from", "must be an RFC 3339 time")
	to, err := time.Parse(time.RFC3339, in.To)
	v.Check(err == nil, "to", "must be an RFC 3339 time")
	if err := v.Err(); err != nil {
		return nil, err
	}
	ts, err := s.authorTimeseries(ctx, in.ID, from, to, in.Interval)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(ts.Items))
	for id := range ts.Items {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return &timeseriesOutput{Body: timeseriesView(in.ID, in.Interval, ts, ids)}, nil
}
