package identity

import (
	"context"

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

func (s *Service) apiTokenList(ctx context.Context, in *apiTokenListInput) (*apiTokenListOutput, error) {
	p, _, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	after, err := decodeIDPosition(in.PageToken)
	if err != nil {
		return nil, err
	}
	size := httpx.PageSize(in.PageSize)
	tokens, next, err := s.listAPITokens(ctx, p.UserID, after, size)
	if err != nil {
		return nil, err
	}
	out := &apiTokenListOutput{}
	out.Body.Items, out.Body.NextPageToken = viewPage(tokens, next, toAPITokenJSON)
	return out, nil
}

type apiTokenDeleteInput struct {
	ID string `path:"id" doc:"Token ID"`
}

func (s *Service) apiTokenDelete(ctx context.Context, in *apiTokenDeleteInput) (*struct{}, error) {
	p, _, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.deleteAPIToken(ctx, p.UserID, in.ID); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
