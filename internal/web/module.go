package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

// Service is the running web target. It owns no tables and no background
// work; it answers, in front of the process's router, every GET that no API
// route claims.
type Service struct {
	handler *Handler
	mux     *http.ServeMux
}

// New builds the web target from the embedded app.
func New(_ context.Context, d module.Deps) (*Service, error) {
	return NewFrom(Dist(), d)
}

// NewFrom builds the web target from fsys (tests pass their own files).
func NewFrom(fsys fs.FS, d module.Deps) (*Service, error) {
	h, err := NewHandler(fsys)
	if err != nil {
		return nil, err
	}
	if !h.Built() && d.Logger != nil {
		d.Logger.Warn("the web app is not built into this binary; / explains how (make web)")
	}
	if d.Logger != nil {
		d.Logger.Debug("web app loaded", slog.Int("files", len(h.files)))
	}
	// Item pages get their head tags from catalog: through this process's
	// router when catalog runs here, else over HTTP at the public URL.
	publicURL := strings.TrimRight(d.PublicURL, "/")
	get := inProcess(d.Mux)
	if d.Mux == nil {
		get = func(context.Context, string) ([]byte, bool) { return nil, false }
	}
	if publicURL != "" {
		client := d.HTTPClient
		if client == nil {
			client = &http.Client{Timeout: 5 * time.Second}
		}
		local, remote := get, overHTTP(publicURL, client)
		get = func(ctx context.Context, path string) ([]byte, bool) {
			if d.Mux != nil && routes(d.Mux, path) {
				return local(ctx, path)
			}
			return remote(ctx, path)
		}
	}
	h.meta = &pageMeta{get: get, publicURL: publicURL}
	return &Service{handler: h, mux: d.Mux}, nil
}

// Front puts the app in front of next (the process's router): a GET or HEAD
// outside the reserved API prefixes that no registered route claims is the
// app's (a file, or the shell for one of its pages). Everything else goes to
// next unchanged.
func (s *Service) Front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.handler.Owns(r) || s.routed(r) {
			next.ServeHTTP(w, r)
			return
		}
		// One metrics label for every page and asset of the app.
		r.Pattern = "GET /{web}"
		s.handler.ServeHTTP(w, r)
	})
}

// routed reports whether a route other than the router's catch-all claims r.
func (s *Service) routed(r *http.Request) bool {
	if s.mux == nil {
		return false
	}
	// "" is a redirect the router makes (a path to clean, a missing
	// trailing slash): the router answers it.
	_, pattern := s.mux.Handler(r)
	return pattern != "/"
}

// Ready always succeeds: the app is in memory.
func (s *Service) Ready(context.Context) error { return nil }

// Close has nothing to release.
func (s *Service) Close(context.Context) error { return nil }

var _ module.Fronting = (*Service)(nil)
