package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type authorCreateInput struct {
	Body struct {
		Name   string           `json:"name" minLength:"1" maxLength:"200" doc:"Display name"`
		Bio    string           `json:"bio,omitempty" maxLength:"5000" doc:"Biography"`
		Links  []authorLinkJSON `json:"links,omitempty" maxItems:"10" doc:"External links (absolute http(s) URLs)"`
		Avatar string           `json:"avatar,omitempty" maxLength:"500" doc:"Avatar image: an absolute http(s) URL"`
	}
}

type authorOutput struct {
	ETag     string `header:"ETag" doc:"The author's version"`
	Location string `header:"Location" doc:"Where the new author lives"`
	Body     authorJSON
}

// authorCreate makes the caller the first owner of a new author.
func (s *Service) authorCreate(ctx context.Context, in *authorCreateInput) (*authorOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	b := in.Body
	links := linksOf(b.Links)
	a, err := s.createAuthor(ctx, actor, domain.AuthorProfile{Name: &b.Name, Bio: &b.Bio, Links: &links, Avatar: &b.Avatar})
	if err != nil {
		return nil, err
	}
	return &authorOutput{ETag: httpx.ETag(a.Version), Location: "/v1/authors/" + a.ID, Body: authorView(a, actor)}, nil
}
