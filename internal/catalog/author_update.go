package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type authorUpdateInput struct {
	AuthorPath
	IfMatchHeader
	Body struct {
		Name   *string           `json:"name,omitempty" minLength:"1" maxLength:"200" doc:"Display name"`
		Bio    *string           `json:"bio,omitempty" maxLength:"5000" doc:"Biography"`
		Links  *[]authorLinkJSON `json:"links,omitempty" maxItems:"10" doc:"External links; replaces the list"`
		Avatar *string           `json:"avatar,omitempty" maxLength:"500" doc:"Avatar image: an absolute http(s) URL (empty removes it)"`
	}
}

// authorUpdate edits the profile; owners and moderators.
func (s *Service) authorUpdate(ctx context.Context, in *authorUpdateInput) (*authorGetOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	expect, err := in.version()
	if err != nil {
		return nil, err
	}
	b := in.Body
	p := domain.AuthorProfile{Name: b.Name, Bio: b.Bio, Avatar: b.Avatar}
	if b.Links != nil {
		links := linksOf(*b.Links)
		p.Links = &links
	}
	a, err := s.updateAuthorProfile(ctx, actor, in.ID, p, expect)
	if err != nil {
		return nil, err
	}
	return &authorGetOutput{ETag: httpx.ETag(a.Version), Body: authorView(a, actor)}, nil
}
