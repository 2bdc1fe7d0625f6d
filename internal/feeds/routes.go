package feeds

import (
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
