package catalog

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// UserDirectory answers whether a user account exists. Catalog asks it
// before making someone a member; identity owns the accounts. Implementations
// must be safe for concurrent use.
type UserDirectory interface {
	// Exists reports whether userID names an account. A directory that cannot
	// answer returns an Unavailable error, never false.
	Exists(ctx context.Context, userID string) (bool, error)
}

// HTTPDirectory asks identity's public API: GET {base}/v1/users/{id}.
type HTTPDirectory struct {
	base   string
	client *http.Client
}

// NewHTTPDirectory returns a directory backed by identity at baseURL.
func NewHTTPDirectory(baseURL string, client *http.Client) *HTTPDirectory {
	if client == nil {
		client = http.DefaultClient
	}
	return &HTTPDirectory{base: strings.TrimRight(baseURL, "/"), client: client}
}

// Exists implements UserDirectory. The caller's bearer token, when the
// request carried one, goes along: identity decides what it may see.
func (d *HTTPDirectory) Exists(ctx context.Context, userID string) (bool, error) {
	if d.base == "" {
		return false, errs.New(errs.Unavailable, "the user directory is not configured (identity URL is empty)")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.base+"/v1/users/"+url.PathEscape(userID), nil)
	if err != nil {
		return false, fmt.Errorf("user directory request: %w", err)
	}
	if tok, ok := ctx.Value(bearerKey{}).(string); ok && tok != "" {
		req.Header.Set("Authorization", tok)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		return false, errs.Wrap(errs.Unavailable, err, "the user directory did not answer")
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, errs.New(errs.Unavailable, "the user directory answered %d", resp.StatusCode)
}

type bearerKey struct{}

// forwardBearer is an operation middleware keeping the caller's
// Authorization header in the context for the user directory.
func forwardBearer(ctx huma.Context, next func(huma.Context)) {
	if h := ctx.Header("Authorization"); h != "" {
		ctx = huma.WithValue(ctx, bearerKey{}, h)
	}
	next(ctx)
}
