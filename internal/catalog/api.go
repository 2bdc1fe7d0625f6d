package catalog

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// What every catalog operation shares: the caller, page parameters.

// actorOf returns the caller as the domain sees it (zero when anonymous).
func actorOf(ctx context.Context) domain.Actor {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return domain.Actor{}
	}
	return domain.Actor{UserID: p.UserID, Author: p.Has(auth.RoleAuthor), Moderator: p.IsModerator(), Admin: p.IsAdmin()}
}

var errAccountBlocked = errs.Forbiddenf("account suspended")

// requireActor returns the caller of a write, or an Unauthenticated error,
// or Forbidden when identity has told catalog that the account is suspended
// or deleted (consume_users.go): their access token may still be valid for a few
// minutes, but they must not keep changing the catalog.
func (s *Service) requireActor(ctx context.Context) (domain.Actor, error) {
	if _, err := auth.Require(ctx); err != nil {
		return domain.Actor{}, err
	}
	actor := actorOf(ctx)
	blocked, err := s.store.Blocked(ctx, actor.UserID)
	if err != nil {
		return domain.Actor{}, err
	}
	if blocked {
		return domain.Actor{}, errAccountBlocked
	}
	return actor, nil
}

// IfMatchHeader is the If-Match header of an update.
type IfMatchHeader struct {
	IfMatch string `header:"If-Match" maxLength:"100" doc:"ETag from the last read; the update fails with 412 if the resource changed since"`
}

// version is the version If-Match requires (0 for none); a value that is
// not one of our ETags is 412 at once.
func (h IfMatchHeader) version() (int64, error) { return httpx.IfMatch(h.IfMatch) }

// PageParams are the keyset pagination parameters of every list.
type PageParams struct {
	PageSize  int    `query:"page_size" minimum:"1" maximum:"100" default:"20" doc:"Items per page (1..100)"`
	PageToken string `query:"page_token" maxLength:"1024" doc:"next_page_token of the previous page"`
}

func (p PageParams) size() int { return httpx.PageSize(p.PageSize) }

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
		op.Security = httpx.BearerSecurity()
	}
	if method == http.MethodPost || method == http.MethodPatch || method == http.MethodPut {
		op.MaxBodyBytes = httpx.MaxJSONBody
	}
	return op
}
