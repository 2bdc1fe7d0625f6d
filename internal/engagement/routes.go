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

	const cols, reports = "Collections", "Reports"
	const patch, created = http.MethodPatch, http.StatusCreated
	huma.Register(api, operation("collection-create", post, "/v1/collections", "Create a collection", cols, created, writeErrors...), s.collectionCreate)
	huma.Register(api, optional(operation("collection-list", get, "/v1/collections", "List your collections, or another user's public ones", cols, ok, readErrors...)), s.collectionList)
	huma.Register(api, optional(operation("collection-get", get, "/v1/collections/{id}", "Get a collection (yours, or a public one; saved: your saved collection)", cols, ok, readErrors...)), s.collectionGet)
	huma.Register(api, operation("collection-update", patch, "/v1/collections/{id}", "Rename, describe or share your collection", cols, ok, writeErrors...), s.collectionUpdate)
	huma.Register(api, operation("collection-delete", del, "/v1/collections/{id}", "Delete your collection (not the saved one)", cols, none,
		append([]int{http.StatusConflict}, writeErrors...)...), s.collectionDelete)
	huma.Register(api, optional(operation("collection-item-list", get, "/v1/collections/{id}/items", "List a collection's items in order", cols, ok, readErrors...)), s.collectionItemList)
	huma.Register(api, operation("collection-item-add", post, "/v1/collections/{id}/items", "Add an item at the end of your collection", cols, ok,
		append([]int{http.StatusConflict}, writeErrors...)...), s.collectionItemAdd)
	huma.Register(api, operation("collection-item-reorder", put, "/v1/collections/{id}/items", "Put your collection's items in a new order", cols, none, writeErrors...), s.collectionItemReorder)
	huma.Register(api, operation("collection-item-remove", del, "/v1/collections/{id}/items/{media_id}", "Take an item out of your collection", cols, none, writeErrors...), s.collectionItemRemove)

	huma.Register(api, operation("report-create", post, "/v1/reports", "Report a media item, an author or a user to the moderators", reports, created,
		append([]int{http.StatusServiceUnavailable}, writeErrors...)...), s.reportCreate)
	huma.Register(api, operation("report-list", get, "/v1/admin/reports", "List reports (moderators)", reports, ok,
		append([]int{http.StatusForbidden}, readErrors...)...), s.reportList)
	huma.Register(api, operation("report-resolve", post, "/v1/admin/reports/{id}/resolve", "Resolve a report: dismiss, remove or suspend (moderators)", reports, ok,
		append([]int{http.StatusConflict, http.StatusServiceUnavailable}, writeErrors...)...), s.reportResolve)
}

// optional lets anonymous callers in (public reads).
func optional(op huma.Operation) huma.Operation {
	op.Security = httpx.OptionalBearerSecurity()
	return op
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
