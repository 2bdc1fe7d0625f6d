package search

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/search/domain"
)

type suggestInput struct {
	Q string `query:"q" doc:"What the user has typed so far"`
}

type suggestOutput struct {
	Body struct {
		Items []searchSuggestionJSON `json:"items" doc:"Up to 10 titles, authors and tags"`
	}
}

// suggestGet is GET /v1/search/suggest.
func (s *Service) suggestGet(ctx context.Context, in *suggestInput) (*suggestOutput, error) {
	b := &badRequest{}
	checkText(b, "q", in.Q, domain.MaxQueryBytes)
	if err := b.err(); err != nil {
		return nil, problem(ctx, err)
	}
	list, err := s.app.suggest(ctx, in.Q, 10)
	if err != nil {
		return nil, err
	}
	out := &suggestOutput{}
	out.Body.Items = make([]searchSuggestionJSON, len(list))
	for i, x := range list {
		out.Body.Items[i] = searchSuggestionJSON(x)
	}
	return out, nil
}
