package engagement

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type reportResolveInput struct {
	ID            string `path:"id" doc:"Report ID"`
	Authorization string `header:"Authorization" doc:"Bearer access token: the action is carried out with it"`
	Body          struct {
		Action string `json:"action" enum:"dismiss,remove,suspend" doc:"dismiss; remove the media item or author (catalog); suspend the user (identity)"`
		Note   string `json:"note,omitempty" maxLength:"2000" doc:"The moderator's note"`
	}
}

// reportResolve carries out a moderator's decision and records it.
func (s *Service) reportResolve(ctx context.Context, in *reportResolveInput) (*reportOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.resolveReport(ctx, p, in.Authorization, in.ID, in.Body.Action, in.Body.Note)
	if err != nil {
		return nil, err
	}
	return &reportOutput{Body: reportView(r)}, nil
}
