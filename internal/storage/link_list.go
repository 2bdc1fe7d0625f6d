package storage

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type linkListInput struct {
	ID            string `path:"id" doc:"Media ID"`
	Authorization string `header:"Authorization" doc:"The caller's bearer token"`
}

type linkListOutput struct {
	Body struct {
		Links []LinkJSON `json:"links" doc:"The item's links that have not expired, revoked ones included, newest first (without their URLs)"`
	}
}

func (s *Service) registerLinkList(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "media-content-link-list", Method: http.MethodGet, Path: "/v1/media/{id}/links",
		Summary:     "List an item's download links (members, moderators)",
		Description: "The signed links made to the item's file that have not expired yet. A link lives at most storage.link_max_ttl, so the list stays short.",
		Tags:        []string{"Media files"}, Security: httpx.BearerSecurity(), Errors: []int{401, 403, 404},
	}, s.listLinks)
}

func (s *Service) listLinks(ctx context.Context, in *linkListInput) (*linkListOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(in.ID); err != nil {
		return nil, errs.NotFoundf("no media item %s", in.ID)
	}
	links, err := s.activeLinks(ctx, p, in.ID, in.Authorization)
	if err != nil {
		return nil, err
	}
	out := &linkListOutput{}
	out.Body.Links = make([]LinkJSON, 0, len(links))
	for _, l := range links {
		out.Body.Links = append(out.Body.Links, linkJSON(l))
	}
	return out, nil
}
