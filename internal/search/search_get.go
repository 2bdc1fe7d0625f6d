package search

import (
	"context"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/search/domain"
)

// Query parameters are plain strings checked here, so that anything a
// client sends is a 200 or a 400 problem naming the parameter.
type searchInput struct {
	Q              string `query:"q" doc:"Words to find (all must match); \"quoted phrases\", -word to exclude, OR between alternatives, word* for a prefix. Empty: browse with the filters"`
	Kind           string `query:"kind" doc:"book, document, podcast or video"`
	Language       string `query:"language" doc:"BCP 47 language tag"`
	CategoryID     string `query:"category_id" doc:"A category: items in it or in any category below it"`
	AuthorID       string `query:"author_id" doc:"Items crediting this author"`
	Tag            string `query:"tag" doc:"Items with this tag"`
	License        string `query:"license" doc:"SPDX license identifier"`
	DurationMin    string `query:"duration_min" doc:"Audio and video at least this long, in seconds"`
	DurationMax    string `query:"duration_max" doc:"Audio and video at most this long, in seconds"`
	PagesMin       string `query:"pages_min" doc:"Documents with at least this many pages"`
	PagesMax       string `query:"pages_max" doc:"Documents with at most this many pages"`
	PublishedAfter string `query:"published_after" doc:"Published at or after this date or time"`
	PublishedBefor string `query:"published_before" doc:"Published before this date or time"`
	Sort           string `query:"sort" doc:"relevance (default with words), newest (default without), popular"`
	Scope          string `query:"scope" doc:"public (default) or mine: the items of the authors you are a member of, drafts included (sign in)"`
	PageSize       string `query:"page_size" doc:"Results per page, 1 to 100 (default 20; larger values are cut to the maximum)"`
	PageToken      string `query:"page_token" doc:"next_page_token of the previous page"`
}

type searchOutput struct {
	Body searchJSON
}

var kinds = map[string]bool{"book": true, "document": true, "podcast": true, "video": true}

// searchGet is GET /v1/search.
func (s *Service) searchGet(ctx context.Context, in *searchInput) (*searchOutput, error) {
	b := &badRequest{}
	checkText(b, "q", in.Q, domain.MaxQueryBytes)
	for _, f := range []struct{ name, value string }{{"language", in.Language}, {"tag", in.Tag}, {"license", in.License}} {
		checkText(b, f.name, f.value, 100)
	}
	checkID(b, "category_id", in.CategoryID)
	checkID(b, "author_id", in.AuthorID)
	if in.Kind != "" && !kinds[in.Kind] {
		b.add("kind", "must be one of book, document, podcast, video")
	}
	sort := in.Sort
	switch sort {
	case "":
		sort = SortRelevance
	case SortRelevance, SortNewest, SortPopular:
	default:
		b.add("sort", "must be relevance, newest or popular")
	}
	p := Params{Kind: in.Kind, Language: in.Language, License: in.License, AuthorID: strings.ToLower(in.AuthorID),
		Tag: strings.ToLower(strings.TrimSpace(in.Tag)), Sort: sort,
		DurationMin: parseFloat(b, "duration_min", in.DurationMin), DurationMax: parseFloat(b, "duration_max", in.DurationMax),
		PagesMin: parseInt(b, "pages_min", in.PagesMin, 1<<30), PagesMax: parseInt(b, "pages_max", in.PagesMax, 1<<30),
		PublishedAfter: parseTime(b, "published_after", in.PublishedAfter), PublishedBefore: parseTime(b, "published_before", in.PublishedBefor)}
	p.Limit = s.pageSize(b, in.PageSize)
	switch in.Scope {
	case "", "public":
	case "mine":
		caller, err := auth.Require(ctx)
		if err != nil {
			return nil, err
		}
		p.MemberUserID = caller.UserID
	default:
		b.add("scope", "must be public or mine")
	}
	if err := b.err(); err != nil {
		return nil, problem(ctx, err)
	}
	res, err := s.app.search(ctx, searchRequest{Text: in.Q, Params: p, PageToken: in.PageToken, CategoryID: strings.ToLower(in.CategoryID)})
	if err != nil {
		return nil, problem(ctx, err)
	}
	out := &searchOutput{}
	out.Body = searchJSON{Items: res.Hits, Facets: res.Facets, Total: res.Total, NextPageToken: res.Next}
	return out, nil
}

func (s *Service) pageSize(b *badRequest, value string) int {
	if value == "" {
		return 20
	}
	n := parseInt(b, "page_size", value, 1<<30)
	if n == nil {
		return 20
	}
	if *n < 1 {
		b.add("page_size", "must be at least 1")
		return 20
	}
	return min(*n, s.cfg.MaxPageSize)
}
