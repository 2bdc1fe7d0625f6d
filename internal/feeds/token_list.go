package feeds

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type tokenListOutput struct {
	Body struct {
		Items []feedTokenJSON `json:"items" nullable:"false"`
	}
}

// tokenList is GET /v1/feeds/tokens: the caller's tokens, without secrets.
func (s *Service) tokenList(ctx context.Context, _ *struct{}) (*tokenListOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.Tokens(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	out := &tokenListOutput{}
	out.Body.Items = make([]feedTokenJSON, len(ts))
	for i, t := range ts {
		out.Body.Items[i] = feedTokenView(t)
	}
	return out, nil
}
