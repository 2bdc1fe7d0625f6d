package identity

import (
	"context"
)

type apiTokenCreateInput struct {
	Body struct {
		Name          string   `json:"name" maxLength:"400" doc:"What the token is for, 1 to 100 characters"`
		Scopes        []string `json:"scopes" maxItems:"5" doc:"Any of read, write, admin (admin only for administrators), progress:write, feeds:read"`
		ExpiresInDays int      `json:"expires_in_days,omitempty" doc:"Lifetime in days, 1 to 365 (default 90)"`
	}
}

type apiTokenCreateOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         apiTokenJSON
}

func (s *Service) apiTokenCreate(ctx context.Context, in *apiTokenCreateInput) (*apiTokenCreateOutput, error) {
	p, _, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	t, secret, err := s.createAPIToken(ctx, p, newAPITokenRequest{
		Name: in.Body.Name, Scopes: in.Body.Scopes, ExpiresInDays: in.Body.ExpiresInDays})
	if err != nil {
		return nil, err
	}
	body := toAPITokenJSON(t)
	body.Token = secret
	return &apiTokenCreateOutput{CacheControl: "no-store", Body: body}, nil
}
