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

// linkSigner signs download links: HMAC-SHA256 over the path and the
// expiry, with a key made on first start and kept in storage's table.
type linkSigner struct{ key []byte }

func (l linkSigner) sign(path string, expires int64) string {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(path + "\n" + strconv.FormatInt(expires, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify checks a link's signature (in constant time) and expiry.
func (l linkSigner) verify(path, expires, sig string, now time.Time) error {
	exp, err := strconv.ParseInt(expires, 10, 64)
	got, derr := base64.RawURLEncoding.DecodeString(sig)
	want, _ := base64.RawURLEncoding.DecodeString(l.sign(path, exp))
	if err != nil || derr != nil || !hmac.Equal(got, want) {
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
	base string
}

// Resolve captures the external base URL the link is made for.
func (i *linkCreateInput) Resolve(ctx huma.Context) []error {
	scheme := "http"
	if ctx.TLS() != nil || strings.EqualFold(ctx.Header("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	host := ctx.Host()
	if fh := ctx.Header("X-Forwarded-Host"); fh != "" {
		host = fh
	}
	i.base = scheme + "://" + host
	return nil
}

// LinkView is a signed download link.
type LinkView struct {
	URL       string    `json:"url" doc:"The download URL; anyone holding it may download the file until expires_at"`
	ExpiresAt time.Time `json:"expires_at" doc:"When the link stops working"`
}

type linkCreateOutput struct {
	Body LinkView
}

func (s *Service) registerLinkCreate(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "media-content-link-create", Method: http.MethodPost, Path: "/v1/media/{id}/content/links",
		Summary:     "Make a signed, expiring download link",
		Description: "For sharing an unpublished item's file: the link works without a token until it expires. The caller must be allowed to view the item.",
		Tags:        []string{"Media files"}, MaxBodyBytes: httpx.MaxJSONBody, Security: httpx.BearerSecurity(),
		DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 404, 422},
	}, s.createLink)
}

func (s *Service) createLink(ctx context.Context, in *linkCreateInput) (*linkCreateOutput, error) {
	if _, err := auth.Require(ctx); err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(in.ID); err != nil {
		return nil, errs.NotFoundf("no media item %s", in.ID)
	}
	ttl := time.Duration(in.Body.ExpiresInSeconds) * time.Second
	if ttl > s.cfg.LinkMaxTTL {
		return nil, errs.InvalidField("expires_in_seconds", "must be at most %d", int64(s.cfg.LinkMaxTTL/time.Second))
	}
	a, err := s.access.Access(ctx, in.ID, in.Authorization)
	if err != nil {
		return nil, err
	}
	if !a.CanView {
		return nil, errs.Forbiddenf("you may not view media item %s", in.ID)
	}
	if _, err := s.store.Current(ctx, in.ID); err != nil {
		return nil, err
	}
	path := "/v1/media/" + in.ID + "/content"
	exp := s.now().Add(ttl).Truncate(time.Second)
	base := in.base
	if s.cfg.PublicURL != "" {
		base = strings.TrimRight(s.cfg.PublicURL, "/")
	}
	q := url.Values{"expires": {strconv.FormatInt(exp.Unix(), 10)}, "sig": {s.links.sign(path, exp.Unix())}}
	return &linkCreateOutput{Body: LinkView{URL: base + path + "?" + q.Encode(), ExpiresAt: exp.UTC()}}, nil
}
