package catalog

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// Status codes most operations may answer besides their success.
var (
	readErrors  = []int{http.StatusNotFound, http.StatusUnprocessableEntity}
	writeErrors = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict,
		http.StatusUnprocessableEntity}
	updateErrors = append([]int{http.StatusPreconditionFailed}, writeErrors...)
)

// register declares every catalog operation, in one table so the whole API
// surface reads at a glance.
func (s *Service) register(api huma.API) {
	const (
		get, post, patch, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
		authors, media, cats  = "Authors", "Media", "Categories"
		ok, created, none     = http.StatusOK, http.StatusCreated, http.StatusNoContent
	)
	huma.Register(api, operation("author-create", post, "/v1/authors", "Create an author you own", authors, created, writeErrors...), s.authorCreate)
	huma.Register(api, operation("author-list", get, "/v1/authors", "List authors", authors, ok, readErrors...), s.authorList)
	huma.Register(api, operation("author-get", get, "/v1/authors/{id}", "Get an author", authors, ok, readErrors...), s.authorGet)
	huma.Register(api, operation("author-update", patch, "/v1/authors/{id}", "Edit an author's profile (owners, moderators)", authors, ok, updateErrors...), s.authorUpdate)
	huma.Register(api, operation("author-delete", del, "/v1/authors/{id}", "Remove an author (owners, moderators)", authors, none, writeErrors...), s.authorDelete)
	huma.Register(api, operation("author-restore", post, "/v1/authors/{id}/restore", "Restore a removed author (moderators; owners when an owner removed it)", authors, ok, writeErrors...), s.authorRestore)
	huma.Register(api, operation("author-purge", del, "/v1/admin/authors/{id}", "Delete an author permanently (admins)", authors, none, writeErrors...), s.authorPurge)

	huma.Register(api, operation("author-member-list", get, "/v1/authors/{id}/members", "List an author's members (its members, moderators)", authors, ok,
		append([]int{http.StatusUnauthorized, http.StatusForbidden}, readErrors...)...), s.memberList)
	add := operation("author-member-add", post, "/v1/authors/{id}/members", "Add a member (owners, moderators)", authors, created,
		append([]int{http.StatusServiceUnavailable}, writeErrors...)...)
	add.Middlewares = huma.Middlewares{forwardBearer}
	huma.Register(api, add, s.memberAdd)
	huma.Register(api, operation("author-member-update", patch, "/v1/authors/{id}/members/{user_id}", "Change a member's role (owners, moderators)", authors, ok, writeErrors...), s.memberUpdate)
	huma.Register(api, operation("author-member-remove", del, "/v1/authors/{id}/members/{user_id}", "Remove a member (owners, moderators, or the member)", authors, none, writeErrors...), s.memberRemove)

	huma.Register(api, operation("media-create", post, "/v1/media", "Create a media item", media, created, writeErrors...), s.mediaCreate)
	list := operation("media-list", get, "/v1/media", "List media", media, ok, readErrors...)
	list.Middlewares = huma.Middlewares{s.reads.cachedReads(func(ctx huma.Context) string { return listReadKey(ctx.URL().RawQuery) })}
	huma.Register(api, list, s.mediaList)
	one := operation("media-get", get, "/v1/media/{id}", "Get a media item", media, ok, readErrors...)
	one.Responses = map[string]*huma.Response{"304": {Description: "Not Modified: If-None-Match names the current ETag"}}
	one.Middlewares = huma.Middlewares{s.reads.cachedReads(func(ctx huma.Context) string { return mediaReadKey(ctx.Param("id")) })}
	huma.Register(api, one, s.mediaGet)
	huma.Register(api, operation("media-access", get, "/v1/media/{id}/access", "What the caller may do with a media item's files", media, ok, readErrors...), s.mediaAccess)
	huma.Register(api, operation("media-update", patch, "/v1/media/{id}", "Edit, publish or unpublish a media item (members)", media, ok, updateErrors...), s.mediaUpdate)
	huma.Register(api, operation("media-delete", del, "/v1/media/{id}", "Remove a media item (members, moderators)", media, none, writeErrors...), s.mediaDelete)
	huma.Register(api, operation("media-restore", post, "/v1/media/{id}/restore", "Restore a removed media item (moderators)", media, ok, writeErrors...), s.mediaRestore)
	huma.Register(api, operation("media-purge", del, "/v1/admin/media/{id}", "Delete a media item permanently (admins)", media, none, writeErrors...), s.mediaPurge)

	huma.Register(api, operation("category-create", post, "/v1/categories", "Create a category (moderators)", cats, created, writeErrors...), s.categoryCreate)
	huma.Register(api, operation("category-list", get, "/v1/categories", "List categories", cats, ok, readErrors...), s.categoryList)
	huma.Register(api, operation("category-get", get, "/v1/categories/{id}", "Get a category", cats, ok, readErrors...), s.categoryGet)
	huma.Register(api, operation("category-update", patch, "/v1/categories/{id}", "Edit or move a category (moderators)", cats, ok, updateErrors...), s.categoryUpdate)
	huma.Register(api, operation("category-delete", del, "/v1/categories/{id}", "Remove a category (moderators)", cats, none, writeErrors...), s.categoryDelete)
	huma.Register(api, operation("category-restore", post, "/v1/categories/{id}/restore", "Restore a removed category (moderators)", cats, ok, writeErrors...), s.categoryRestore)
	huma.Register(api, operation("category-purge", del, "/v1/admin/categories/{id}", "Delete a category permanently (admins)", cats, none, writeErrors...), s.categoryPurge)
}
