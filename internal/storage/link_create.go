package storage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// linkSigner signs download links: HMAC-SHA256 over the path, the link's
// recorded ID and the expiry, with a key made on first start and kept in
// storage's table.
type linkSigner struct{ key []byte }

func (l linkSigner) sign(path, linkID string, expires int64) string {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(path + "\n" + linkID + "\n" + strconv.FormatInt(expires, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify checks a link's signature (in constant time) and expiry.
func (l linkSigner) verify(path, linkID, expires, sig string, now time.Time) error {
	exp, err := strconv.ParseInt(expires, 10, 64)
	got, derr := base64.RawURLEncoding.DecodeString(sig)
	want, _ := base64.RawURLEncoding.DecodeString(l.sign(path, linkID, exp))
	if err != nil || derr != nil || linkID == "" || !hmac.Equal(got, want) {
		return errs.Forbiddenf("this download link is not valid")
	}
	if now.Unix() >= exp {
		return errs.Forbiddenf("this download link expired at %s; ask for a new one", time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	return nil
}

type linkCreateInput struct {
	ID            string `path:"id" doc:"Media ID"`
	Authorization string `header:"Authorization" doc:"The caller's bearer token (catalog decides who may view the item)"`
	Body          struct {
		ExpiresInSeconds int `json:"expires_in_seconds" minimum:"1" doc:"Lifetime of the link in seconds (at most storage.link_max_ttl, 7 days by default)"`
	}
	origin requestOrigin
}

// Resolve captures where the request came in, for the link's base URL.
func (i *linkCreateInput) Resolve(ctx huma.Context) []error {
	i.origin = requestOrigin{tls: ctx.TLS() != nil, host: ctx.Host(),
		forwardedProto: ctx.Header("X-Forwarded-Proto"), forwardedHost: ctx.Header("X-Forwarded-Host")}
	return nil
}

type linkCreateOutput struct {
	Body LinkJSON
}

func (s *Service) registerLinkCreate(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "media-content-link-create", Method: http.MethodPost, Path: "/v1/media/{id}/content/links",
		Summary: "Make a signed, expiring download link (members, moderators)",
		Description: "For sharing an item's file: the link works without a token until it expires or is revoked. " +
			"Only members of the item's authors and moderators make links, never for a removed item. Every download " +
			"through the link checks the item as it is then: a removed item answers 410; an item that is not public " +
			"(a draft) is served only while the link's creator is still a member, not suspended.",
		Tags: []string{"Media files"}, MaxBodyBytes: httpx.MaxJSONBody, Security: httpx.BearerSecurity(),
		DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 404, 422},
	}, s.createLink)
}

func (s *Service) createLink(ctx context.Context, in *linkCreateInput) (*linkCreateOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(in.ID); err != nil {
		return nil, errs.NotFoundf("no media item %s", in.ID)
	}
	ttl := time.Duration(in.Body.ExpiresInSeconds) * time.Second
	if ttl > s.cfg.LinkMaxTTL {
		return nil, errs.InvalidField("expires_in_seconds", "must be at most %d", int64(s.cfg.LinkMaxTTL/time.Second))
	}
	l, err := s.makeLink(ctx, p, in.ID, in.Authorization, ttl)
	if err != nil {
		return nil, err
	}
	path := "/v1/media/" + in.ID + "/content"
	base := s.baseURL(in.origin)
	exp := l.ExpiresAt.Unix()
	q := url.Values{"link": {l.ID}, "expires": {strconv.FormatInt(exp, 10)}, "sig": {s.links.sign(path, l.ID, exp)}}
	v := linkJSON(l)
	v.URL = base + path + "?" + q.Encode()
	v.DerivativesURL = base + "/v1/media/" + in.ID + "/signed/" + url.PathEscape(l.ID) + "/" + strconv.FormatInt(exp, 10) + "/" +
		s.links.sign(derivativesScope(in.ID), l.ID, exp) + "/"
	return &linkCreateOutput{Body: v}, nil
}

// requestOrigin is where a request came in.
type requestOrigin struct {
	tls                           bool
	host                          string
	forwardedProto, forwardedHost string
}

// baseURL is the external base URL of links handed out: the configured
// public URL, else the request's scheme and Host. X-Forwarded-Host and
// X-Forwarded-Proto are anyone's to send: they count only when the
// operator said a proxy sets them (http.trust_forwarded_for).
func (s *Service) baseURL(o requestOrigin) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme, host := "http", o.host
	if o.tls {
		scheme = "https"
	}
	if s.trustForwarded {
		if p := strings.ToLower(o.forwardedProto); p == "http" || p == "https" {
			scheme = p
		}
		if o.forwardedHost != "" {
			host = o.forwardedHost
		}
	}
	return scheme + "://" + host
}
