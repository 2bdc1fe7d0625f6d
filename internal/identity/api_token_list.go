package identity

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type apiTokenListInput struct {
	PageSize  int    `query:"page_size" minimum:"1" maximum:"100" doc:"Items per page (default 20)"`
	PageToken string `query:"page_token" maxLength:"1024" doc:"next_page_token of the previous page"`
}

type apiTokenListOutput struct {
	Body struct {
		Items         []apiTokenJSON `json:"items" doc:"Your tokens, oldest first, without secrets"`
		NextPageToken string         `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last page"`
	}
}

func (s *Service) registerAPITokenList(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "api-token-list",
		Method:      http.MethodGet,
		Path:        "/v1/users/me/tokens",
		Summary:     "List your personal API tokens",
		Tags:        []string{"API tokens"},
		Security:    httpx.BearerSecurity(),
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *apiTokenListInput) (*apiTokenListOutput, error) {
		p, _, err := s.caller(ctx)
		if err != nil {
			return nil, err
		}
		after, err := decodeIDPosition(in.PageToken)
		if err != nil {
			return nil, err
		}
		size := httpx.PageSize(in.PageSize)
		tokens, err := s.store.listAPITokens(ctx, p.UserID, after, size+1)
		if err != nil {
			return nil, err
		}
		out := &apiTokenListOutput{}
		out.Body.Items = []apiTokenJSON{}
		for i, t := range tokens {
			if i == size {
				out.Body.NextPageToken = encodeIDPosition(tokens[i-1].ID)
				break
			}
			out.Body.Items = append(out.Body.Items, toAPITokenJSON(t))
		}
		return out, nil
	})
}

type apiTokenDeleteInput struct {
	ID string `path:"id" doc:"Token ID"`
}

func (s *Service) registerAPITokenDelete(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID:   "api-token-delete",
		Method:        http.MethodDelete,
		Path:          "/v1/users/me/tokens/{id}",
		Summary:       "Revoke a personal API token",
		Tags:          []string{"API tokens"},
		Security:      httpx.BearerSecurity(),
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *apiTokenDeleteInput) (*struct{}, error) {
		p, _, err := s.caller(ctx)
		if err != nil {
			return nil, err
		}
		if !validUserID(in.ID) {
			return nil, errs.NotFoundf("no such API token")
		}
		if err := s.store.deleteAPIToken(ctx, p.UserID, in.ID); err != nil {
			return nil, err
		}
		return &struct{}{}, nil
	})
}
