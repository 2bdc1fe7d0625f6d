package feeds

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// buildFunc renders one document from the read model.
type buildFunc func(ctx context.Context, l links) (*rendered, error)

// serveDoc answers a GET or HEAD for a feed document: from the cache when
// the read model has not changed since it was rendered, else rendered anew;
// with ETag and Last-Modified, and 304 for a matching conditional request.
// The validators always describe the current document, so a 304 never
// confirms a copy that lists an item since removed.
func (s *Service) serveDoc(w http.ResponseWriter, r *http.Request, format, key string, build buildFunc) {
	s.serveDocAs(w, r, format, key, "public, no-cache", build)
}

// serveDocAs is serveDoc with the Cache-Control of the answer.
func (s *Service) serveDocAs(w http.ResponseWriter, r *http.Request, format, key, cacheControl string, build buildFunc) {
	l, err := s.links(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	key = l.base + "|" + key
	doc, ok := s.app.cache.get(key)
	result := "hit"
	if !ok {
		gen := s.app.cache.generation()
		start := time.Now()
		doc, err = build(r.Context(), l)
		if err != nil {
			httpx.WriteProblem(w, r, err)
			return
		}
		s.app.metrics.render.WithLabelValues(format).Observe(time.Since(start).Seconds())
		s.app.cache.put(key, gen, doc)
		result = "miss"
	}
	h := w.Header()
	h.Set("ETag", doc.etag)
	h.Set("Last-Modified", doc.modified.Format(http.TimeFormat))
	// Caches may keep a copy but must ask again before using it.
	h.Set("Cache-Control", cacheControl)
	if notModified(r, doc) {
		s.app.metrics.requests.WithLabelValues(format, "not_modified").Inc()
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.app.metrics.requests.WithLabelValues(format, result).Inc()
	h.Set("Content-Type", doc.contentType)
	h.Set("Content-Length", strconv.Itoa(len(doc.body)))
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(doc.body)
}

// notModified applies RFC 9110's conditional GET: If-None-Match when sent,
// else If-Modified-Since.
func notModified(r *http.Request, doc *rendered) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == doc.etag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil {
			return !doc.modified.After(t)
		}
	}
	return false
}

// links finds the base URL of the links a response hands out: the
// configured public URL, else the request's own.
func (s *Service) links(r *http.Request) (links, error) {
	return s.linksFor(r.Host, r.TLS != nil, r.Header.Get)
}

// linksFor is links from a request's Host, whether it came over TLS, and
// its headers.
func (s *Service) linksFor(host string, tls bool, header func(string) string) (links, error) {
	if s.publicURL != "" {
		return links{base: s.publicURL}, nil
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	if s.trustForwarded {
		if p := strings.ToLower(header("X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		if fh := header("X-Forwarded-Host"); fh != "" {
			host = strings.TrimSpace(strings.Split(fh, ",")[0])
		}
	}
	if !validHost(host) {
		return links{}, errs.InvalidField("Host", "not a valid host name")
	}
	return links{base: scheme + "://" + host}, nil
}

// validHost accepts a DNS name or IP literal with an optional port.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == ':', c == '[', c == ']', c == '_':
		default:
			return false
		}
	}
	return true
}
