package events

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// RegisterAdmin adds the dead-letter operations for this service under
// /v1/admin/events/{service}/dead-letters (admins only).
func (p *Pipeline) RegisterAdmin(api huma.API) {
	svc := p.setup.Service
	dl := DeadLetters{DB: p.setup.DB, Bus: p.setup.Bus}
	base := "/v1/admin/events/" + svc + "/dead-letters"
	security := []map[string][]string{{httpx.BearerAuth: {}}}
	tags := []string{"Events"}

	type listInput struct {
		PageSize  int    `query:"page_size" minimum:"1" maximum:"100" default:"20" doc:"Items per page"`
		PageToken string `query:"page_token" doc:"next_page_token of the previous page"`
	}
	type listOutput struct {
		Body struct {
			Items         []DeadLetter `json:"items"`
			NextPageToken string       `json:"next_page_token,omitempty"`
		}
	}
	huma.Register(api, huma.Operation{
		OperationID: svc + "-dead-letter-list", Method: http.MethodGet, Path: base, Tags: tags, Security: security,
		Summary: "List " + svc + "'s dead letters", Description: "Events " + svc + " gave up on after its retries, oldest first.",
	}, func(ctx context.Context, in *listInput) (*listOutput, error) {
		if _, err := auth.RequireAdmin(ctx); err != nil {
			return nil, err
		}
		var after struct {
			ID string `json:"i"`
		}
		if in.PageToken != "" {
			if err := httpx.DecodePageToken(in.PageToken, &after); err != nil {
				return nil, err
			}
		}
		items, err := dl.List(ctx, after.ID, in.PageSize+1)
		if err != nil {
			return nil, err
		}
		out := &listOutput{}
		if len(items) > in.PageSize {
			items = items[:in.PageSize]
			after.ID = items[len(items)-1].ID
			out.Body.NextPageToken = httpx.EncodePageToken(after)
		}
		out.Body.Items = items
		return out, nil
	})

	type idInput struct {
		ID string `path:"id" doc:"Dead letter ID"`
	}
	huma.Register(api, huma.Operation{
		OperationID: svc + "-dead-letter-replay", Method: http.MethodPost, Path: base + "/{id}/replay", Tags: tags,
		Security: security, DefaultStatus: http.StatusNoContent,
		Summary: "Replay one of " + svc + "'s dead letters", Description: "Publishes the event again and removes the dead letter.",
	}, func(ctx context.Context, in *idInput) (*struct{}, error) {
		if _, err := auth.RequireAdmin(ctx); err != nil {
			return nil, err
		}
		return nil, dl.Replay(ctx, in.ID)
	})

	type purgeOutput struct {
		Body struct {
			Purged int64 `json:"purged"`
		}
	}
	huma.Register(api, huma.Operation{
		OperationID: svc + "-dead-letter-purge", Method: http.MethodDelete, Path: base, Tags: tags, Security: security,
		Summary: "Delete all of " + svc + "'s dead letters",
	}, func(ctx context.Context, _ *struct{}) (*purgeOutput, error) {
		if _, err := auth.RequireAdmin(ctx); err != nil {
			return nil, err
		}
		n, err := dl.Purge(ctx)
		out := &purgeOutput{}
		out.Body.Purged = n
		return out, err
	})
}
