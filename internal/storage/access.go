package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Access is what catalog says the caller may do with a media item.
type Access struct {
	MediaID string `json:"media_id"`
	Kind    string `json:"kind"`
	Status  string `json:"status"`
	Public  bool   `json:"public"`
	CanView bool   `json:"can_view"`
	CanEdit bool   `json:"can_edit"`
}

// Published reports an item anyone may read (downloads are cacheable).
func (a Access) Published() bool { return a.Status == "published" }

// Removed reports an item a moderator or its authors removed.
func (a Access) Removed() bool { return a.Status == "removed" }

// AccessChecker asks who may do what with a media item. Catalog owns the
// answer; storage never reads catalog's tables.
type AccessChecker interface {
	// Access answers for the caller whose Authorization header is given
	// ("" for an anonymous caller). An item the caller may not see at all
	// is errs.NotFound.
	Access(ctx context.Context, mediaID, authorization string) (Access, error)
	// AccessFor answers, as a service call, for the user userID as they
	// are now (a signed link's creator): the item's status, removed
	// included, and whether that user may still view and edit it. An
	// unknown item is errs.NotFound.
	AccessFor(ctx context.Context, mediaID, userID string) (Access, error)
}

// serviceKeyHeader carries the deployment's service key to catalog (its
// media_access.go reads it; no import across services).
const serviceKeyHeader = "X-Alexandria-Service-Key"

// catalogAccess calls catalog's GET /v1/media/{id}/access over HTTP. It
// keeps nothing itself: downloads reach it through the access cache
// (access_cache.go), dropped by catalog's events.
type catalogAccess struct {
	base       string
	client     *http.Client
	serviceKey string
}

func (c catalogAccess) Access(ctx context.Context, mediaID, authorization string) (Access, error) {
	return c.ask(ctx, mediaID, "", authorization)
}

func (c catalogAccess) AccessFor(ctx context.Context, mediaID, userID string) (Access, error) {
	return c.ask(ctx, mediaID, userID, "")
}

func (c catalogAccess) ask(ctx context.Context, mediaID, userID, authorization string) (Access, error) {
	u := strings.TrimRight(c.base, "/") + "/v1/media/" + url.PathEscape(mediaID) + "/access"
	if userID != "" {
		u += "?" + url.Values{"user_id": {userID}}.Encode()
	}
	// The host is configuration; the media ID is a UUID checked by callers and escaped.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil) //nolint:gosec // see above
	if err != nil {
		return Access{}, err
	}
	req.Header.Set("Accept", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if userID != "" {
		req.Header.Set(serviceKeyHeader, c.serviceKey)
	}
	resp, err := c.client.Do(req) //nolint:gosec // see above
	if err != nil {
		return Access{}, errs.Wrap(errs.Unavailable, err, "the catalog cannot be reached to check access")
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return Access{}, errs.NotFoundf("no media item %s", mediaID)
	case http.StatusUnauthorized:
		return Access{}, errs.Unauthenticatedf("sign in to access media item %s", mediaID)
	case http.StatusForbidden:
		return Access{}, errs.Forbiddenf("you may not access media item %s", mediaID)
	default:
		return Access{}, errs.Wrap(errs.Unavailable, fmt.Errorf("catalog access: %s: %s", resp.Status, body),
			"the catalog could not check access; try again")
	}
	var a Access
	if err := json.Unmarshal(body, &a); err != nil {
		return Access{}, fmt.Errorf("catalog access answer: %w", err)
	}
	return a, nil
}
