package httpx

import (
	"embed"
	"net/http"
)

// docsUI is the API documentation page: a small script of our own that
// renders /openapi.json, served from the binary so /docs loads nothing from
// another origin (huma's built-in page pulls its renderer from a CDN).
//
//go:embed docsui
var docsUI embed.FS

// docsCSP allows only this origin: the page, its script and style, and the
// OpenAPI document it fetches.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// registerDocs serves GET /docs and its two assets.
func registerDocs(mux *http.ServeMux) {
	serve := func(name, contentType string) http.HandlerFunc {
		body, err := docsUI.ReadFile("docsui/" + name)
		return func(w http.ResponseWriter, r *http.Request) {
			if err != nil {
				WriteProblem(w, r, err)
				return
			}
			h := w.Header()
			h.Set("Content-Type", contentType)
			h.Set("Cache-Control", "no-cache")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("Content-Security-Policy", docsCSP)
			_, _ = w.Write(body)
		}
	}
	mux.HandleFunc("GET /docs", serve("index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /docs/docs.js", serve("docs.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /docs/docs.css", serve("docs.css", "text/css; charset=utf-8"))
}
