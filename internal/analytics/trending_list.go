package analytics

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/analytics/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// RankingParams select a window and filter a ranking.
type RankingParams struct {
	Window     string `query:"window" default:"day" doc:"hour, day or week"`
	Kind       string `query:"kind" doc:"Only items of this kind: book, document, podcast, video"`
	CategoryID string `query:"category_id" doc:"Only items in this category"`
	Language   string `query:"language" maxLength:"35" doc:"Only items in this language (BCP 47 tag)"`
	Limit      int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Items to return (1..100)"`
}

func (p RankingParams) parse() (domain.Window, Filter, int, error) {
	var v errs.Validation
	w, err := domain.ParseWindow(p.Window)
	if err != nil {
		v.Add("window", "%s", err.Error())
	}
	switch p.Kind {
	case "", "book", "document", "podcast", "video":
	default:
		v.Add("kind", "must be book, document, podcast or video")
	}
	v.Check(p.CategoryID == "" || validID(p.CategoryID), "category_id", "must be a category ID")
	limit := p.Limit
	if limit == 0 {
		limit = 20
	}
	return w, Filter{Kind: p.Kind, CategoryID: p.CategoryID, Language: p.Language}, limit, v.Err()
}

type rankingOutput struct {
	Body rankingJSON
}

// trendingList ranks the current window's visible items by Φ.
func (s *Service) trendingList(ctx context.Context, in *RankingParams) (*rankingOutput, error) {
	return s.ranking(ctx, in, false)
}

func (s *Service) ranking(ctx context.Context, in *RankingParams, byY bool) (*rankingOutput, error) {
	w, f, limit, err := in.parse()
	if err != nil {
		return nil, err
	}
	items, start, err := s.rank(ctx, w, s.now(), f, byY, limit)
	if err != nil {
		return nil, err
	}
	return &rankingOutput{Body: rankingView(string(w), start, items)}, nil
}
