package analytics

import "context"

// popularList ranks the current window's visible items by y.
func (s *Service) popularList(ctx context.Context, in *RankingParams) (*rankingOutput, error) {
	return s.ranking(ctx, in, true)
}
