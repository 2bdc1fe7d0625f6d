package identity

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type oidcStartInput struct {
	Provider string `path:"provider" maxLength:"32" doc:"Configured provider id"`
	Link     bool   `query:"link" doc:"With a session's access token: link the provider to your account instead of signing in"`
	Response string `query:"response" enum:"browser,json" default:"browser" doc:"How the callback ends: browser sets the web session's cookies and redirects to the web app; json answers the tokens (API clients)"`
	Accept   string `header:"Accept" doc:"With link=true, application/json answers 200 {url} instead of the redirect: a script holding the access token cannot follow a cross-site redirect"`
}

type oidcStartOutput struct {
	Status       int
	Location     string `header:"Location" doc:"The provider's sign-in page"`
	CacheControl string `header:"Cache-Control"`
	Body         *oidcStartBody
}

type oidcStartBody struct {
	URL string `json:"url" doc:"The provider's sign-in page, for the browser to go to"`
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
	response := in.Response
	if response == "" {
		response = responseBrowser
	}
	to, err := s.oidcStart(ctx, in.Provider, linkUser, response)
	if err != nil {
		return nil, err
	}
	if linkUser != "" && wantsJSON(in.Accept) {
		return &oidcStartOutput{Status: http.StatusOK, CacheControl: "no-store", Body: &oidcStartBody{URL: to}}, nil
	}
	return &oidcStartOutput{Status: http.StatusFound, Location: to, CacheControl: "no-store"}, nil
}

// callbackRequest notes what the browser-mode ending needs: whether the
// connection is HTTPS (cookies get Secure) and whether the caller is a
// browser (Accept names HTML), for failures whose sign-in is unknown.
type callbackRequest struct {
	clientDevice
	secure bool
	html   bool
}

// Resolve reads the connection and the Accept header. The callback is a
// navigation from the provider's site, so unlike the session endpoints it
// cannot refuse cross-site requests: the single-use state is its guard.
func (c *callbackRequest) Resolve(ctx huma.Context) []error {
	c.clientDevice.Resolve(ctx)
	c.secure = ctx.TLS() != nil || strings.EqualFold(ctx.Header("X-Forwarded-Proto"), "https")
	c.html = strings.Contains(ctx.Header("Accept"), "text/html")
	return nil
}

type oidcCallbackInput struct {
	callbackRequest
	Provider string `path:"provider" maxLength:"32" doc:"Configured provider id"`
	State    string `query:"state" maxLength:"100" doc:"The state of the sign-in, as the provider returns it"`
	Code     string `query:"code" maxLength:"2048" doc:"The authorisation code"`
	Error    string `query:"error" maxLength:"200" doc:"The provider's error, when it refused"`
}

type oidcCallbackOutput struct {
	Status         int
	Location       string        `header:"Location" doc:"Browser sign-ins: the web app (/ when signed in, /auth/callback#error=... when not)"`
	CacheControl   string        `header:"Cache-Control"`
	ReferrerPolicy string        `header:"Referrer-Policy"`
	ContentType    string        `header:"Content-Type"`
	SetCookie      []http.Cookie `header:"Set-Cookie" doc:"Browser sign-ins: the web session's refresh and CSRF cookies, as POST /v1/auth/session sets them"`
	Body           []byte        `doc:"JSON sign-ins (response=json at the start): the tokens, as POST /v1/auth/token answers them"`
}

// oidcWebDone and oidcWebFailed are where a browser sign-in ends in the
// web app. A failure's reason travels in the fragment, which browsers
// neither send to servers nor put in Referer.
const (
	oidcWebDone   = "/"
	oidcWebFailed = "/auth/callback#error="
)

func (s *Service) oidcCallbackOp(ctx context.Context, in *oidcCallbackInput) (*oidcCallbackOutput, error) {
	ctx = withDevice(ctx, in.clientDevice)
	pair, response, err := s.oidcCallback(ctx, in.Provider, in.State, in.Code, in.Error)
	if response == "" && in.html {
		response = responseBrowser // the sign-in is unknown, but a browser asks
	}
	if response != responseBrowser {
		if err != nil {
			return nil, err
		}
		out := newTokenOutput(pair)
		body, err := json.Marshal(out.Body) //nolint:gosec // the tokens are this answer's purpose
		if err != nil {
			return nil, err
		}
		res := &oidcCallbackOutput{Status: http.StatusOK, CacheControl: "no-store", ReferrerPolicy: "no-referrer",
			ContentType: "application/json", Body: body}
		if pair.DeviceToken != "" {
			res.SetCookie = []http.Cookie{deviceHTTPCookie(pair.DeviceToken)}
		}
		return res, nil
	}
	res := &oidcCallbackOutput{Status: http.StatusSeeOther, CacheControl: "no-store", ReferrerPolicy: "no-referrer"}
	if err != nil {
		if errs.KindOf(err) == errs.Internal || errs.KindOf(err) == errs.Unavailable {
			return nil, err
		}
		s.log.InfoContext(ctx, "oidc browser sign-in failed", "provider", in.Provider, "kind", errs.KindOf(err).String())
		res.Location = oidcWebFailed + url.QueryEscape(publicMessage(err))
		return res, nil
	}
	session, err := s.sessionOutput(pair, in.secure)
	if err != nil {
		return nil, err
	}
	res.Location, res.SetCookie = oidcWebDone, session.SetCookie
	return res, nil
}

// publicMessage is what a classified error says to the caller.
func publicMessage(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "the sign-in failed"
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
	for _, id := range s.oidcOrder {
		out.Body.Items = append(out.Body.Items, oidcProviderJSON{ID: id, Name: s.oidc[id].cfg.DisplayName()})
	}
	return out, nil
}

// wantsJSON: the Accept header asks for JSON and not for a page.
func wantsJSON(accept string) bool {
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}
