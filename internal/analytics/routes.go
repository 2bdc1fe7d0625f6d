package analytics

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// register declares every analytics operation in one table.
func (s *Service) register(api huma.API) {
	const get, tag, ok = http.MethodGet, "Analytics", http.StatusOK
	public := []int{http.StatusUnprocessableEntity}
	huma.Register(api, optional(operation("trending-list", get, "/v1/trending", "Trending items: Φ = ω + υ in the current window", tag, ok, public...)), s.trendingList)
	huma.Register(api, optional(operation("popular-list", get, "/v1/popular", "Popular items: most engagement (y) in the current window", tag, ok, public...)), s.popularList)
	huma.Register(api, optional(operation("related-list", get, "/v1/media/{id}/related", "Items people who finished this one also finished", tag, ok,
		http.StatusNotFound, http.StatusUnprocessableEntity)), s.relatedList)
	huma.Register(api, operation("author-stats-timeseries", get, "/v1/authors/{id}/stats/timeseries", "An author's views, viewers, likes, completions and new followers over time (members only)", tag, ok,
		http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity), s.authorStatsTimeseries)
	huma.Register(api, operation("lake-compact", http.MethodPost, "/v1/admin/analytics/lake/compact", "Write staged events to the lake and compact closed hours now (admins; Airflow calls it)", tag, ok,
		http.StatusUnauthorized, http.StatusForbidden), s.lakeCompact)
}

// optional lets anonymous callers in (public reads).
func optional(op huma.Operation) huma.Operation {
	op.Security = httpx.OptionalBearerSecurity()
	return op
}

func operation(id, method, path, summary, tag string, status int, errors ...int) huma.Operation {
	return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: []string{tag},
		DefaultStatus: status, Errors: errors, Security: httpx.BearerSecurity()}
}
