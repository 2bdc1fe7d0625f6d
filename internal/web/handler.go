// Package web is the web target: it serves the React app built from web/
// (embedded in the binary) at every path the API does not claim.
package web

import (
	"bytes"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// AppCSP is the Content-Security-Policy of the app's pages: every resource
// from this origin only, no inline or evaluated script. Inline styles are
// allowed because the EPUB reader styles the book's own frame; media and
// workers may come from blob: URLs the readers create.
const AppCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; connect-src 'self'; " +
	"worker-src 'self' blob:; frame-src 'self' blob:; manifest-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// placeholderCSP is for the page served when the app was not built: it has
// no script at all.
const placeholderCSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// reserved are the path prefixes that belong to the API and the operations
// endpoints: the app's fallback never answers them, so an unknown /v1 path
// keeps its JSON problem.
var reserved = []string{"/v1", "/opds", "/feeds", "/openapi", "/schemas", "/docs", "/livez", "/readyz", "/metrics", "/.well-known"}

// isReserved reports whether p is one of the reserved paths or below one.
func isReserved(p string) bool {
	for _, r := range reserved {
		if p == r || strings.HasPrefix(p, r+"/") || (r == "/openapi" && strings.HasPrefix(p, r)) {
			return true
		}
	}
	return false
}

// Handler serves the embedded app.
type Handler struct {
	// meta, when set, renders an item page's head tags (meta.go).
	meta    *pageMeta
	files   map[string]*file
	index   *file // nil: the app was not built, the placeholder answers
	started time.Time
}

// NewHandler loads the app from fsys (the folder Vite wrote).
func NewHandler(fsys fs.FS) (*Handler, error) {
	files, err := loadFiles(fsys)
	if err != nil {
		return nil, err
	}
	return &Handler{files: files, index: files["/index.html"], started: time.Now()}, nil
}

// Built reports whether a real app build is embedded.
func (h *Handler) Built() bool { return h.index != nil }

// Owns reports whether the handler answers r: GET and HEAD requests outside
// the reserved prefixes.
func (h *Handler) Owns(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return !isReserved(r.URL.Path)
}

// ServeHTTP answers with the named file, or with the app shell for the
// app's own routes (/media/123), or 404 for a missing asset.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if p == "/index.html" {
		http.Redirect(w, r, "/", http.StatusMovedPermanently)
		return
	}
	if f, ok := h.files[p]; ok && p != "/PLACEHOLDER.md" {
		h.serveFile(w, r, f)
		return
	}
	// A path that names a file (/assets/x.js, /logo.png) and is missing is a
	// 404: answering HTML to a script request only hides the error.
	if strings.HasPrefix(p, "/assets/") || strings.Contains(p[strings.LastIndexByte(p, '/')+1:], ".") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("not found\n"))
		return
	}
	// Item pages carry their meta tags with or without the app built, so
	// link previews work on any binary.
	if id, ok := mediaID(p); ok && h.meta != nil {
		if tags := h.meta.tags(r, id); tags != "" {
			h.serveWithMeta(w, r, tags)
			return
		}
	}
	if h.index == nil {
		h.servePlaceholder(w, r)
		return
	}
	h.serveFile(w, r, h.index)
}

func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request, f *file) {
	hd := w.Header()
	hd.Set("Content-Type", f.contentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	switch {
	case strings.HasPrefix(f.name, "/assets/"):
		// Vite names these by content hash: a new build gets new names.
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	default:
		// index.html, sw.js, the manifest and icons keep their names across
		// builds: revalidate every time (cheap, with the ETag).
		hd.Set("Cache-Control", "no-cache")
	}
	if strings.HasPrefix(f.contentType, "text/html") {
		hd.Set("Content-Security-Policy", AppCSP)
		hd.Set("X-Frame-Options", "DENY")
	}
	if f.name == "/sw.js" {
		hd.Set("Service-Worker-Allowed", "/")
	}
	body, etag := f.body, f.etag
	if f.gzip != nil || f.brotli != nil {
		hd.Add("Vary", "Accept-Encoding")
		switch enc := pickEncoding(r.Header.Get("Accept-Encoding"), f.brotli != nil, f.gzip != nil); enc {
		case "br":
			body, etag = f.brotli, f.etag+"-br"
			hd.Set("Content-Encoding", "br")
		case "gzip":
			body, etag = f.gzip, f.etag+"-gz"
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", strconv.Quote(etag))
	http.ServeContent(w, r, "", h.started, bytes.NewReader(body))
}

// pickEncoding chooses br, gzip or "" (identity) from an Accept-Encoding
// header, honouring q=0 refusals and preferring brotli on equal weight.
func pickEncoding(header string, haveBr, haveGzip bool) string {
	q := map[string]float64{}
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		weight := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				weight = f
			}
		}
		q[name] = weight
	}
	weight := func(name string) float64 {
		if v, ok := q[name]; ok {
			return v
		}
		if v, ok := q["*"]; ok {
			return v
		}
		return 0
	}
	br, gz := 0.0, 0.0
	if haveBr {
		br = weight("br")
	}
	if haveGzip {
		gz = weight("gzip")
	}
	switch {
	case br > 0 && br >= gz:
		return "br"
	case gz > 0:
		return "gzip"
	}
	return ""
}
