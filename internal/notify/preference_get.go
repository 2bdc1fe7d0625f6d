package notify

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type preferencesOutput struct {
	Body struct {
		Preferences []preferenceJSON `json:"preferences" doc:"Every notification type on every channel, with your choice or the default"`
	}
}

// preferencesGet lists the caller's choices, defaults filled in.
func (s *Service) preferencesGet(ctx context.Context, _ *struct{}) (*preferencesOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.preferences(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	out := &preferencesOutput{}
	out.Body.Preferences = preferencesView(list)
	return out, nil
}
