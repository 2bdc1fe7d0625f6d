package feeds

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type tokenCreateInput struct {
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"100" doc:"What the token is for (e.g. the podcast app)"`
	}
	linksInput
}

type tokenCreateOutput struct {
	Body feedTokenCreatedJSON
}

// linksInput resolves the base URL of the links an answer hands out, as
// the feeds do.
type linksInput struct {
	host  string
	tls   bool
	proto string
	fwd   string
}

// Resolve implements huma.Resolver.
func (l *linksInput) Resolve(ctx huma.Context) []error {
	l.host, l.tls = ctx.Host(), ctx.TLS() != nil
	l.proto, l.fwd = ctx.Header("X-Forwarded-Proto"), ctx.Header("X-Forwarded-Host")
	return nil
}

func (l *linksInput) header(name string) string {
	if name == "X-Forwarded-Proto" {
		return l.proto
	}
	if name == "X-Forwarded-Host" {
		return l.fwd
	}
	return ""
}

// tokenCreate is POST /v1/feeds/tokens.
func (s *Service) tokenCreate(ctx context.Context, in *tokenCreateInput) (*tokenCreateOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	l, err := s.linksFor(in.host, in.tls, in.header)
	if err != nil {
		return nil, err
	}
	t, secret, err := s.createToken(ctx, p.UserID, in.Body.Name)
	if err != nil {
		return nil, err
	}
	return &tokenCreateOutput{Body: feedTokenCreatedJSON{feedTokenJSON: feedTokenView(t), Token: secret,
		FeedURLs: privateFeedURLs(l, secret)}}, nil
}
