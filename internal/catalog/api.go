package catalog

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// What every catalog operation shares: the caller, ETags, page parameters.

var signedIn = []map[string][]string{{httpx.BearerAuth: {}}}

// actorOf returns the caller as the domain sees it (zero when anonymous).
func actorOf(ctx context.Context) domain.Actor {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return domain.Actor{}
	}
	return domain.Actor{UserID: p.UserID, Author: p.Has(auth.RoleAuthor), Moderator: p.IsModerator(), Admin: p.IsAdmin()}
}

// requireActor returns the caller or an Unauthenticated error.
func requireActor(ctx context.Context) (domain.Actor, error) {
	if _, err := auth.Require(ctx); err != nil {
		return domain.Actor{}, err
	}
	return actorOf(ctx), nil
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// expectedVersion reads If-Match: 0 for none or "*", the version of a
// strong or weak ETag we issued, and -1 (matches nothing) for anything else.
func expectedVersion(ifMatch string) int64 {
	v := strings.TrimSpace(ifMatch)
	if v == "" || v == "*" {
		return 0
	}
	v = strings.TrimPrefix(v, "W/")
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || n <= 0 {
		return -1
	}
	return n
}

// IfMatchHeader is the If-Match header of an update.
type IfMatchHeader struct {
	IfMatch string `header:"If-Match" maxLength:"100" doc:"ETag from the last read; the update fails with 412 if the resource changed since"`
}

// PageParams are the keyset pagination parameters of every list.
type PageParams struct {
	PageSize  int    `query:"page_size" minimum:"1" maximum:"100" default:"20" doc:"Items per page (1..100)"`
	PageToken string `query:"page_token" maxLength:"1024" doc:"next_page_token of the previous page"`
}

func (p PageParams) size() int {
	if p.PageSize == 0 {
		return httpx.DefaultPageSize
	}
	return p.PageSize
}

// checkQueryID validates an optional UUID filter.
func checkQueryID(v *errs.Validation, name, id string) {
	if id != "" && !domain.ValidID(id) {
		v.Add("query."+name, "is not a UUID")
	}
}

type noContent struct{}

func operation(id, method, path, summary, tag string, status int, errors ...int) huma.Operation {
	op := huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: []string{tag},
		DefaultStatus: status, Errors: errors}
	if method != http.MethodGet {
		op.Security = signedIn
	}
	if method == http.MethodPost || method == http.MethodPatch || method == http.MethodPut {
		op.MaxBodyBytes = httpx.MaxJSONBody
	}
	return op
}
