package feeds

import (
	"context"
	"net/http"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// privateRoot starts every private feed URL: /feeds/private/{token}/… then
// the public form's path under /feeds.
const privateRoot = "/feeds/private/"

// registerPrivate mounts the private form of every feed. Its secret is the
// credential (podcast apps cannot send Authorization reliably), so these
// routes skip the Basic guard, feeds.require_auth included.
func (s *Service) registerPrivate(mux *http.ServeMux) {
	const p = "GET " + privateRoot + "{token}/"
	mux.HandleFunc(p+formatAtom, s.getPrivateFeed(scopeAll, formatAtom))
	mux.HandleFunc(p+formatJSON, s.getPrivateFeed(scopeAll, formatJSON))
	for _, f := range []string{formatAtom, formatJSON, formatPodcast} {
		mux.HandleFunc(p+"authors/{id}/"+f, s.getPrivateFeed(scopeAuthor, f))
		mux.HandleFunc(p+"categories/{id}/"+f, s.getPrivateFeed(scopeCategory, f))
	}
	mux.HandleFunc(p+"tags/{tag}/"+formatAtom, s.getPrivateFeed(scopeTag, formatAtom))
	mux.HandleFunc(p+"tags/{tag}/"+formatJSON, s.getPrivateFeed(scopeTag, formatJSON))
}

// getPrivateFeed is GET /feeds/private/{token}/…: the same feed as the
// public form for the token's subscriber, with its self link kept private;
// 404 for an unknown or revoked token. The token is looked up before the
// cache or the conditional-request logic, so nothing answers for a revoked
// one; and the answer is for the subscriber's cache only.
func (s *Service) getPrivateFeed(scope, format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret := r.PathValue("token")
		t, ok, err := s.tokenFor(r.Context(), secret)
		if err != nil {
			httpx.WriteProblem(w, r, err)
			return
		}
		if !ok {
			s.app.metrics.private.WithLabelValues("unknown").Inc()
			httpx.WriteProblem(w, r, errs.NotFoundf("no such private feed (the token is unknown or was revoked)"))
			return
		}
		param, err := feedParam(r, scope)
		if err != nil {
			httpx.WriteProblem(w, r, err)
			return
		}
		s.app.metrics.private.WithLabelValues("served").Inc()
		key := "private/" + t.ID + "/" + scope + "/" + param + "/" + format
		s.serveDocAs(w, r, format, key, "private, no-cache", func(ctx context.Context, l links) (*rendered, error) {
			sub, err := s.resolve(ctx, l, scope, param)
			if err != nil {
				return nil, err
			}
			sub.selfPath = privateRoot + secret + strings.TrimPrefix(sub.path, "/feeds")
			return s.renderFeed(ctx, l, sub, format)
		})
	}
}
