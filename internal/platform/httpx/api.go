// Package httpx holds what every service's HTTP surface shares: the huma API
// with Alexandria's problem documents, the edge middleware (request IDs,
// access logs, metrics, traces, panics) and page tokens.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// MaxJSONBody is the default request body limit for JSON endpoints.
const MaxJSONBody = 64 << 10

// BearerAuth is the name of the security scheme in the OpenAPI document;
// operations that need a signed-in caller list it in their Security.
const BearerAuth = "bearer"

// NewAPI creates the process's single huma API on mux. Every target running
// in the process registers its operations on it, so /openapi.json documents
// exactly the routes this process serves.
func NewAPI(mux *http.ServeMux, version string) huma.API {
	installProblems()
	cfg := huma.DefaultConfig("Alexandria API", version)
	// No $schema links in bodies: clients round-trip what they read.
	cfg.CreateHooks = nil
	cfg.Formats = map[string]huma.Format{"application/json": strictJSON, "json": strictJSON}
	// Our own docs page (docs.go) instead of huma's, which loads a CDN.
	cfg.DocsPath = ""
	cfg.Info.Description = "Share and find books, documents, podcasts and videos. " +
		"Errors are RFC 9457 problem documents; lists are paginated with opaque page tokens; " +
		"updates take If-Match with the ETag from the last read."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		BearerAuth: {Type: "http", Scheme: "bearer", BearerFormat: "JWT",
			Description: "Access token from POST /v1/auth/token"},
	}
	api := humago.New(mux, cfg)
	registerDocs(mux)
	// Anything no route claims answers with a problem document, not text.
	// The catch-all matches every method, so ServeMux never answers 405
	// itself: a path served for other methods is told apart here.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allowed := allowedMethods(mux, r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			WriteProblem(w, r, toProblem(r.Context(), http.StatusMethodNotAllowed,
				fmt.Sprintf("%s is not allowed on %s; allowed: %s", MethodLabel(r.Method), r.URL.Path, strings.Join(allowed, ", "))))
			return
		}
		WriteProblem(w, r, NotFoundProblem(r))
	})
	return api
}

// NotFoundProblem is the answer for a path no route serves.
func NotFoundProblem(r *http.Request) *Problem {
	return toProblem(r.Context(), http.StatusNotFound, "no such resource: "+MaskPath(r.URL.Path))
}

// allowedMethods lists the standard methods some route other than the
// catch-all serves for r's path, by asking mux which pattern each would
// match.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

// WriteProblem writes err as a problem document outside of huma handlers
// (middleware, ops endpoints).
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	var p *Problem
	if !errors.As(err, &p) {
		p = toProblem(r.Context(), http.StatusInternalServerError, "", err)
	}
	if p.Instance == "" {
		p.Instance = MaskPath(r.URL.Path)
	}
	if h, ok := err.(interface{ GetHeaders() http.Header }); ok {
		for k, v := range h.GetHeaders() {
			w.Header()[k] = v
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// ProblemFor converts any error into a problem document (for middleware).
func ProblemFor(r *http.Request, err error) *Problem {
	return ProblemOf(r.Context(), err)
}

// ProblemOf converts any error into a problem document where there is no
// request at hand, only its context (which carries the request ID and the
// logger of internal errors): e.g. a hook answering through a library that
// writes the response itself.
func ProblemOf(ctx context.Context, err error) *Problem {
	return toProblem(ctx, http.StatusInternalServerError, "", err)
}
