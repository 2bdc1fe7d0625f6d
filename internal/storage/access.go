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
	CanView bool   `json:"can_view"`
	CanEdit bool   `json:"can_edit"`
}

// Published reports an item anyone may read (downloads are cacheable).
func (a Access) Published() bool { return a.Status == "published" }

// AccessChecker asks who may do what with a media item. Catalog owns the
// answer; storage never reads catalog's tables.
type AccessChecker interface {
	// Access answers for the caller whose Authorization header is given
	// ("" for an anonymous caller). An item the caller may not see at all
	// is errs.NotFound.
	Access(ctx context.Context, mediaID, authorization string) (Access, error)
}

// catalogAccess calls catalog's GET /v1/media/{id}/access over HTTP.
type catalogAccess struct {
	base   string
	client *http.Client
}

func (c catalogAccess) Access(ctx context.Context, mediaID, authorization string) (Access, error) {
	u := strings.TrimRight(c.base, "/") + "/v1/media/" + url.PathEscape(mediaID) + "/access"
	// The host is configuration; the media ID is a UUID checked by callers and escaped.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil) //nolint:gosec // see above
	if err != nil {
		return Access{}, err
	}
	req.Header.Set("Accept", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
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
