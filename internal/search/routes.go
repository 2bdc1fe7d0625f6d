package search

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// register declares every search operation.
func (s *Service) register(api huma.API) {
	const get, ok = http.MethodGet, http.StatusOK
	huma.Register(api, operation("search", get, "/v1/search", "Search the catalog and the text of every item", ok,
		http.StatusBadRequest, http.StatusUnauthorized), s.searchGet)
	huma.Register(api, operation("search-suggest", get, "/v1/search/suggest", "Titles, authors and tags for autocomplete", ok,
		http.StatusBadRequest), s.suggestGet)
	huma.Register(api, operation("media-search", get, "/v1/media/{id}/search", "Search inside one item's text: passages with their page or position", ok,
		http.StatusBadRequest, http.StatusNotFound), s.mediaSearch)
}
