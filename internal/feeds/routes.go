package feeds

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

// register mounts every feed route. They are plain mux routes: the
// documents are XML or JSON formats of their own, not API operations.
// A GET pattern also answers HEAD.
func (s *Service) register(d module.Deps) {
	// New items: Atom and JSON Feed 1.1, everywhere and per author,
	// category and tag; podcast RSS per author and category.
	d.Mux.HandleFunc("GET /feeds/atom.xml", s.guard(s.getFeed(scopeAll, formatAtom)))
	d.Mux.HandleFunc("GET /feeds/feed.json", s.guard(s.getFeed(scopeAll, formatJSON)))
	for _, f := range []string{formatAtom, formatJSON, formatPodcast} {
		d.Mux.HandleFunc("GET /feeds/authors/{id}/"+f, s.guard(s.getFeed(scopeAuthor, f)))
		d.Mux.HandleFunc("GET /feeds/categories/{id}/"+f, s.guard(s.getFeed(scopeCategory, f)))
	}
	d.Mux.HandleFunc("GET /feeds/tags/{tag}/"+formatAtom, s.guard(s.getFeed(scopeTag, formatAtom)))
	d.Mux.HandleFunc("GET /feeds/tags/{tag}/"+formatJSON, s.guard(s.getFeed(scopeTag, formatJSON)))
	// The same feeds at a per-subscriber secret URL, and its tokens.
	s.registerPrivate(d.Mux)
	if d.API != nil {
		s.registerTokens(d.API)
	}
	// OPDS 1.2 and 2.0 catalogs of books and documents.
	s.registerOPDS(d.Mux)
	// Link previews and discovery.
	d.Mux.HandleFunc("GET /oembed", s.getOEmbed)
	d.Mux.HandleFunc("GET /sitemap.xml", s.getSitemapIndex)
	d.Mux.HandleFunc("GET /sitemaps/pages.xml", s.getSitemapPages)
	d.Mux.HandleFunc("GET /sitemaps/media.xml", s.getSitemapMedia)
	d.Mux.HandleFunc("GET /robots.txt", s.getRobots)
	// KOReader progress sync, onto engagement's progress.
	s.registerKOReader(d.Mux)
}

// registerTokens declares the private feed token operations (signed in).
func (s *Service) registerTokens(api huma.API) {
	op := func(id, method, path, summary string, status int, errors ...int) huma.Operation {
		o := huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: []string{"Feeds"},
			DefaultStatus: status, Errors: errors, Security: httpx.BearerSecurity()}
		if method == http.MethodPost {
			o.MaxBodyBytes = httpx.MaxJSONBody
		}
		return o
	}
	huma.Register(api, op("feed-token-create", http.MethodPost, "/v1/feeds/tokens",
		"Make a private feed token (its secret is shown once)", http.StatusCreated,
		http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity), s.tokenCreate)
	huma.Register(api, op("feed-token-list", http.MethodGet, "/v1/feeds/tokens",
		"List your private feed tokens (without secrets)", http.StatusOK, http.StatusUnauthorized, http.StatusForbidden), s.tokenList)
	huma.Register(api, op("feed-token-delete", http.MethodDelete, "/v1/feeds/tokens/{id}",
		"Revoke a private feed token: its feeds answer 404 from then on", http.StatusNoContent,
		http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity), s.tokenDelete)
}
