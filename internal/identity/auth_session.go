package identity

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// The browser session: the web app signs in here instead of at
// /v1/auth/token so that no long-lived secret is readable by script. The
// refresh token travels only in an HttpOnly, SameSite=Strict cookie scoped
// to this path; the access token is returned in the body and kept in
// memory. Refresh and sign-out need a double-submit CSRF token (a cookie
// the app's own script can read, echoed in X-CSRF-Token) and, when the
// browser says where the request comes from, the same origin.
const (
	sessionPath   = "/v1/auth/session"
	refreshCookie = "alx_refresh"
	csrfCookie    = "alx_csrf"
	csrfHeader    = "X-CSRF-Token"
)

// browserRequest checks where a session request comes from; it runs as a
// resolver, before the handler. Browsers send Origin on POST and DELETE and
// Sec-Fetch-Site on every request: either naming another site is refused.
type browserRequest struct {
	secure bool // HTTPS, directly or behind a TLS-terminating proxy: cookies get Secure
	device clientDevice
}

// Resolve refuses cross-site requests and notes whether the connection is
// HTTPS.
func (b *browserRequest) Resolve(ctx huma.Context) []error {
	b.device.Resolve(ctx)
	b.secure = ctx.TLS() != nil || strings.EqualFold(ctx.Header("X-Forwarded-Proto"), "https")
	if site := ctx.Header("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return []error{&huma.ErrorDetail{Location: "header.Sec-Fetch-Site", Message: "cross-site requests are refused", Value: site}}
	}
	if origin := ctx.Header("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || !strings.EqualFold(u.Host, ctx.Host()) {
			return []error{&huma.ErrorDetail{Location: "header.Origin", Message: "must be this server's origin", Value: origin}}
		}
	}
	return nil
}

type sessionCreateInput struct {
	browserRequest
	DeviceCookie string `cookie:"alexandria_device" doc:"The device token of an earlier sign-in from this browser (see POST /v1/auth/token)"`
	Body         struct {
		Email    string         `json:"email" minLength:"1" maxLength:"254" doc:"Sign-in email"`
		Password string         `json:"password" minLength:"1" maxLength:"1024" doc:"Password"`
		OTP      string         `json:"otp,omitempty" maxLength:"64" doc:"For an account with a second factor: a code from the authenticator app, or a recovery code"`
		Passkey  *passkeyFactor `json:"passkey,omitempty" doc:"For an account with a second factor: a passkey's answer (POST /v1/auth/passkey/options), instead of otp"`
	}
}

type sessionOutput struct {
	CacheControl string        `header:"Cache-Control"`
	SetCookie    []http.Cookie `header:"Set-Cookie"`
	Body         sessionTokenJSON
}

type sessionRefreshInput struct {
	browserRequest
	Refresh string `cookie:"alx_refresh" doc:"The refresh cookie set at sign-in"`
	CSRF    string `cookie:"alx_csrf" doc:"The CSRF cookie set at sign-in"`
	Echo    string `header:"X-CSRF-Token" doc:"The value of the alx_csrf cookie"`
}

type sessionDeleteOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
}

func (s *Service) browserSessionCreate(ctx context.Context, in *sessionCreateInput) (*sessionOutput, error) {
	ctx = withPasskeyFactor(withMethod(withDevice(ctx, in.device), sessionByBrowser), in.Body.Passkey)
	pair, err := s.login(ctx, in.Body.Email, in.Body.Password, in.DeviceCookie, in.Body.OTP)
	if err != nil {
		return nil, err
	}
	return s.sessionOutput(pair, in.secure)
}

func (s *Service) browserSessionRefresh(ctx context.Context, in *sessionRefreshInput) (*sessionOutput, error) {
	ctx = withDevice(ctx, in.device)
	if err := checkCSRF(in.CSRF, in.Echo); err != nil {
		return nil, err
	}
	if in.Refresh == "" {
		return nil, errs.Unauthenticatedf("no session: sign in again")
	}
	pair, err := s.refresh(ctx, in.Refresh)
	if err != nil {
		if errs.KindOf(err) == errs.Unauthenticated || errs.KindOf(err) == errs.Forbidden {
			return nil, withClearedCookies(err, in.secure)
		}
		return nil, err
	}
	return s.sessionOutput(pair, in.secure)
}

func (s *Service) browserSessionDelete(ctx context.Context, in *sessionRefreshInput) (*sessionDeleteOutput, error) {
	if err := checkCSRF(in.CSRF, in.Echo); err != nil {
		return nil, err
	}
	if in.Refresh != "" {
		// A session that already ended is what the caller wants.
		if err := s.logout(ctx, false, in.Refresh); err != nil && errs.KindOf(err) != errs.NotFound &&
			errs.KindOf(err) != errs.Unauthenticated {
			return nil, err
		}
	}
	return &sessionDeleteOutput{SetCookie: clearCookies(in.secure)}, nil
}

// checkCSRF compares the CSRF cookie with its echo in constant time.
func checkCSRF(cookie, echo string) error {
	if cookie == "" || echo == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(echo)) != 1 {
		return errs.Forbiddenf("send the alx_csrf cookie's value in the X-CSRF-Token header")
	}
	return nil
}

func (s *Service) sessionOutput(pair TokenPair, secure bool) (*sessionOutput, error) {
	csrf, err := newCSRFToken()
	if err != nil {
		return nil, err
	}
	maxAge := int(s.cfg.RefreshTokenTTL / time.Second)
	out := &sessionOutput{
		CacheControl: "no-store",
		SetCookie: []http.Cookie{
			{Name: refreshCookie, Value: pair.RefreshToken, Path: sessionPath, MaxAge: maxAge, HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode}, //nolint:gosec // Secure whenever the request came over HTTPS; plain-HTTP development needs it off
			{Name: csrfCookie, Value: csrf, Path: "/", MaxAge: maxAge, Secure: secure, SameSite: http.SameSiteStrictMode},                                         //nolint:gosec // the CSRF cookie is read by script (double submit)
		},
		Body: sessionTokenJSON{AccessToken: pair.AccessToken, TokenType: "Bearer", ExpiresIn: pair.ExpiresIn},
	}
	if pair.DeviceToken != "" {
		// A browser's proof that it signed in here before: someone else's
		// failed attempts cannot lock it out (device.go).
		out.SetCookie = append(out.SetCookie, deviceHTTPCookie(pair.DeviceToken))
	}
	return out, nil
}

func clearCookies(secure bool) []http.Cookie {
	return []http.Cookie{
		{Name: refreshCookie, Value: "", Path: sessionPath, MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode}, //nolint:gosec // Secure whenever the request came over HTTPS; plain-HTTP development needs it off
		{Name: csrfCookie, Value: "", Path: "/", MaxAge: -1, Secure: secure, SameSite: http.SameSiteStrictMode},                            //nolint:gosec // the CSRF cookie is read by script (double submit)
	}
}

// clearingError is a refusal that also clears the session cookies, so a
// browser whose session ended stops presenting a dead refresh token.
type clearingError struct {
	error
	headers http.Header
}

func (e clearingError) Unwrap() error           { return e.error }
func (e clearingError) GetHeaders() http.Header { return e.headers }
func withClearedCookies(err error, secure bool) error {
	h := http.Header{}
	for _, c := range clearCookies(secure) {
		h.Add("Set-Cookie", c.String())
	}
	return clearingError{error: err, headers: h}
}

func newCSRFToken() (string, error) { return randomString(32) }
