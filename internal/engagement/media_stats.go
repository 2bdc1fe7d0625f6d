package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type mediaStatsOutput struct {
	Body mediaStatsJSON
}

// mediaStatsGet reads a visible item's counts; they lag views by at most
// the flush interval.
func (s *Service) mediaStatsGet(ctx context.Context, in *MediaPath) (*mediaStatsOutput, error) {
	p, _ := auth.FromContext(ctx)
	st, err := s.mediaStats(ctx, p.UserID, in.ID)
	if err != nil {
		return nil, err
	}
	return &mediaStatsOutput{Body: mediaStatsJSON{Views: st.Views, UniqueViewers: st.UniqueViewers, Likes: st.Likes,
		Completions: st.Completions, LikedByMe: st.LikedByMe}}, nil
}
