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

type linkRevokeInput struct {
	ID            string `path:"id" doc:"Media ID"`
	LinkID        string `path:"link_id" doc:"Link ID"`
	Authorization string `header:"Authorization" doc:"The caller's bearer token"`
}

func (s *Service) registerLinkRevoke(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "media-content-link-revoke", Method: http.MethodDelete, Path: "/v1/media/{id}/links/{link_id}",
		Summary:     "Revoke a download link (members, moderators)",
		Description: "The link answers 410 from then on. Revoking a revoked link changes nothing.",
		Tags:        []string{"Media files"}, Security: httpx.BearerSecurity(),
		DefaultStatus: http.StatusNoContent, Errors: []int{401, 403, 404},
	}, s.revokeLink)
}

func (s *Service) revokeLink(ctx context.Context, in *linkRevokeInput) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(in.ID); err != nil {
		return nil, errs.NotFoundf("no media item %s", in.ID)
	}
	if _, err := uuid.Parse(in.LinkID); err != nil {
		return nil, errs.NotFoundf("no download link %s on media item %s", in.LinkID, in.ID)
	}
	if err := s.revokeLinkOf(ctx, p, in.ID, in.LinkID, in.Authorization); err != nil {
		return nil, err
	}
	return nil, nil
}
