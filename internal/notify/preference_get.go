package notify

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type preferencesOutput struct {
	Body preferencesJSON
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
	set, err := s.store.settings(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	return &preferencesOutput{Body: preferencesBody(list, set)}, nil
}
