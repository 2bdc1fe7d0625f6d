package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type viewRecordInput struct {
	MediaPath
	UserAgent string `header:"User-Agent" doc:"Known crawlers' views do not count"`
	Body      struct {
		SecondsPlayed float64 `json:"seconds_played,omitempty" minimum:"0" maximum:"86400" doc:"Audio and video: seconds played (a play counts from 10 s)"`
		SecondsRead   float64 `json:"seconds_read,omitempty" minimum:"0" maximum:"86400" doc:"Books and documents: seconds spent reading (a read counts from 30 s)"`
		PagesRead     int     `json:"pages_read,omitempty" minimum:"0" maximum:"100000" doc:"Books and documents: pages turned"`
	}
}

type viewRecordOutput struct {
	Body struct {
		Outcome string `json:"outcome" enum:"queued,too_short,crawler" doc:"queued: it will be counted unless this viewer was already counted for the item this hour"`
	}
}

// viewRecord reports a sighting; anonymous viewers are known only by a
// daily-salted hash of their address and agent.
func (s *Service) viewRecord(ctx context.Context, in *viewRecordInput) (*viewRecordOutput, error) {
	p, _ := auth.FromContext(ctx)
	outcome, err := s.recordView(ctx, p.UserID, httpx.ClientIP(ctx), in.UserAgent, in.ID,
		domain.Sighting{SecondsPlayed: in.Body.SecondsPlayed, SecondsRead: in.Body.SecondsRead, PagesRead: in.Body.PagesRead})
	if err != nil {
		return nil, err
	}
	out := &viewRecordOutput{}
	out.Body.Outcome = string(outcome)
	return out, nil
}
