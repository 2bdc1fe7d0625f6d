package identity

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type apiTokenCreateInput struct {
	Body struct {
		Name          string   `json:"name" maxLength:"400" doc:"What the token is for, 1 to 100 characters"`
		Scopes        []string `json:"scopes" maxItems:"3" doc:"Any of read, write, admin (admin only for administrators)"`
		ExpiresInDays int      `json:"expires_in_days,omitempty" doc:"Lifetime in days, 1 to 365 (default 90)"`
	}
}

// apiTokenJSON is a personal API token; Token is set only on creation.
type apiTokenJSON struct {
	ID         string     `json:"id" doc:"Token ID"`
	Name       string     `json:"name" doc:"What the token is for"`
	Scopes     []string   `json:"scopes" doc:"What the token may do"`
	CreatedAt  time.Time  `json:"created_at" doc:"When it was made"`
	ExpiresAt  time.Time  `json:"expires_at" doc:"When it stops working"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" doc:"When it was last exchanged"`
	Token      string     `json:"token,omitempty" doc:"The secret (alx_...), shown only in the creation response"`
}

func toAPITokenJSON(t APIToken) apiTokenJSON {
	return apiTokenJSON{ID: t.ID, Name: t.Name, Scopes: t.Scopes, CreatedAt: t.CreatedAt,
		ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt}
}

type apiTokenCreateOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         apiTokenJSON
}

func (s *Service) registerAPITokenCreate(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID:   "api-token-create",
		Method:        http.MethodPost,
		Path:          "/v1/users/me/tokens",
		Summary:       "Create a personal API token",
		Description:   "The secret is in the response only; exchange it at POST /v1/auth/token with {\"api_token\": ...}.",
		Tags:          []string{"API tokens"},
		MaxBodyBytes:  httpx.MaxJSONBody,
		Security:      httpx.BearerSecurity(),
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *apiTokenCreateInput) (*apiTokenCreateOutput, error) {
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
	})
}
