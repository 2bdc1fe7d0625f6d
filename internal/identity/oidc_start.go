package identity

import (
	"context"
	"net/http"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type oidcStartInput struct {
	Provider string `path:"provider" maxLength:"32" doc:"Configured provider name"`
	Link     bool   `query:"link" doc:"With a session's access token: link the provider to your account instead of signing in"`
}

type oidcStartOutput struct {
	Status       int
	Location     string `header:"Location" doc:"The provider's sign-in page"`
	CacheControl string `header:"Cache-Control"`
}

func (s *Service) oidcStartOp(ctx context.Context, in *oidcStartInput) (*oidcStartOutput, error) {
	linkUser := ""
	if in.Link {
		p, _, err := s.caller(ctx)
		if err != nil {
			return nil, err
		}
		if p.SessionID == "" {
			return nil, errs.Forbiddenf("linking needs a session's access token")
		}
		linkUser = p.UserID
	} else if _, ok := auth.FromContext(ctx); ok {
		return nil, errs.InvalidField("link", "send link=true to link the provider to your account, or no access token to sign in")
	}
	to, err := s.oidcStart(ctx, in.Provider, linkUser)
	if err != nil {
		return nil, err
	}
	return &oidcStartOutput{Status: http.StatusFound, Location: to, CacheControl: "no-store"}, nil
}

type oidcCallbackInput struct {
	clientDevice
	Provider string `path:"provider" maxLength:"32" doc:"Configured provider name"`
	State    string `query:"state" maxLength:"100" doc:"The state of the sign-in, as the provider returns it"`
	Code     string `query:"code" maxLength:"2048" doc:"The authorisation code"`
	Error    string `query:"error" maxLength:"200" doc:"The provider's error, when it refused"`
}

func (s *Service) oidcCallbackOp(ctx context.Context, in *oidcCallbackInput) (*tokenOutput, error) {
	ctx = withDevice(ctx, in.clientDevice)
	pair, err := s.oidcCallback(ctx, in.Provider, in.State, in.Code, in.Error)
	if err != nil {
		return nil, err
	}
	return newTokenOutput(pair), nil
}

type oidcProviderListOutput struct {
	Body struct {
		Items []oidcProviderJSON `json:"items" doc:"Configured providers"`
	}
}

type oidcProviderJSON struct {
	ID   string `json:"id" doc:"Name in the sign-in URLs"`
	Name string `json:"name" doc:"Name to show"`
}

func (s *Service) oidcProviderList(_ context.Context, _ *struct{}) (*oidcProviderListOutput, error) {
	out := &oidcProviderListOutput{}
	out.Body.Items = []oidcProviderJSON{}
	for name := range s.oidc {
		out.Body.Items = append(out.Body.Items, oidcProviderJSON{ID: name, Name: strings.ToUpper(name[:1]) + name[1:]})
	}
	return out, nil
}
