package engagement

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// Status codes most operations may answer besides their success.
var (
	readErrors  = []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity}
	writeErrors = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity}
)

// register declares every engagement operation in one table.
func (s *Service) register(api huma.API) {
	const (
		get, post, put, del        = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
		follows, likes, views, prg = "Follows", "Likes", "Views", "Progress"
		feed                       = "Feed"
		ok, accepted, none         = http.StatusOK, http.StatusAccepted, http.StatusNoContent
	)
	huma.Register(api, operation("follow-put", put, "/v1/users/me/follows/{type}/{id}", "Follow an author, a category or a tag", follows, ok, writeErrors...), s.followPut)
	huma.Register(api, operation("follow-delete", del, "/v1/users/me/follows/{type}/{id}", "Stop following", follows, none, writeErrors...), s.followDelete)
	huma.Register(api, operation("follow-list", get, "/v1/users/me/follows", "List what you follow", follows, ok, readErrors...), s.followList)

	huma.Register(api, operation("like-put", put, "/v1/media/{id}/like", "Like a media item", likes, none, writeErrors...), s.likePut)
	huma.Register(api, operation("like-delete", del, "/v1/media/{id}/like", "Take back a like", likes, none, writeErrors...), s.likeDelete)
	huma.Register(api, operation("media-stats", get, "/v1/media/{id}/stats", "A media item's views, viewers, likes and completions", likes, ok, readErrors...), s.mediaStatsGet)
	huma.Register(api, operation("author-stats", get, "/v1/authors/{id}/stats", "An author's followers, views and likes", likes, ok, readErrors...), s.authorStatsGet)

	view := operation("view-record", post, "/v1/media/{id}/views", "Report what you saw, heard or read of an item", views, accepted, http.StatusNotFound, http.StatusUnprocessableEntity)
	view.Security = httpx.OptionalBearerSecurity()
	huma.Register(api, view, s.viewRecord)

	huma.Register(api, operation("progress-put", put, "/v1/users/me/progress/{media_id}", "Save your position in an item", prg, ok,
		append([]int{http.StatusBadRequest}, writeErrors...)...), s.progressPut)
	huma.Register(api, operation("progress-list", get, "/v1/users/me/progress", "Continue listening, reading, watching; or what you finished", prg, ok, readErrors...), s.progressList)

	huma.Register(api, operation("feed-get", get, "/v1/users/me/feed", "New items from what you follow, newest first", feed, ok, readErrors...), s.feedGet)
}

func operation(id, method, path, summary, tag string, status int, errors ...int) huma.Operation {
	op := huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: []string{tag},
		DefaultStatus: status, Errors: errors, Security: httpx.BearerSecurity()}
	if method == http.MethodPost || method == http.MethodPatch || method == http.MethodPut {
		op.MaxBodyBytes = httpx.MaxJSONBody
	}
	return op
}

// PageParams are the keyset pagination parameters of every list.
type PageParams struct {
	PageSize  int    `query:"page_size" minimum:"1" maximum:"100" default:"20" doc:"Items per page (1..100)"`
	PageToken string `query:"page_token" maxLength:"1024" doc:"next_page_token of the previous page"`
}

func (p PageParams) size() int { return httpx.PageSize(p.PageSize) }

// MediaPath names a media item in the path.
type MediaPath struct {
	ID string `path:"id" doc:"Media ID"`
}
