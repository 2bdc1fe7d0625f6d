package search

import (
	"context"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/search/domain"
)

type mediaSearchInput struct {
	ID        string `path:"id" doc:"Media ID"`
	Q         string `query:"q" doc:"Words to find in the item's text (same syntax as /v1/search)"`
	PageSize  string `query:"page_size" doc:"Passages per page, 1 to 100 (default 20)"`
	PageToken string `query:"page_token" doc:"next_page_token of the previous page"`
}

type mediaSearchOutput struct {
	Body searchInsideJSON
}

// mediaSearch is GET /v1/media/{id}/search: search inside one item.
func (s *Service) mediaSearch(ctx context.Context, in *mediaSearchInput) (*mediaSearchOutput, error) {
	b := &badRequest{}
	checkText(b, "q", in.Q, domain.MaxQueryBytes)
	limit := s.pageSize(b, in.PageSize)
	if err := b.err(); err != nil {
		return nil, problem(ctx, err)
	}
	b2 := &badRequest{}
	checkID(b2, "id", in.ID)
	if b2.err() != nil {
		return nil, errs.NotFoundf("no media item %s", in.ID)
	}
	var userID string
	if p, ok := auth.FromContext(ctx); ok {
		userID = p.UserID
	}
	res, err := s.app.inside(ctx, strings.ToLower(in.ID), userID, in.Q, in.PageToken, limit)
	if err != nil {
		return nil, problem(ctx, err)
	}
	return &mediaSearchOutput{Body: res}, nil
}
