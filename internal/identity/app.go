package identity

import (
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// The application layer of identity: the commands and queries that the
// HTTP handlers call (app_users.go, app_sessions.go, app_api_tokens.go,
// app_signing_keys.go, app_first_admin.go). They take plain values and the
// caller's principal, apply the rules, and reach the database only through
// the repository (store*.go), which records events in the same transaction.

// validUserID reports whether id can name a user; anything else is a 404
// without a query (PostgreSQL would reject it as a UUID).
func validUserID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

var errNoSuchUser = errs.NotFoundf("no such user")

// retryAfter is the Retry-After of a window that ends at ends.
func retryAfter(ends, now time.Time) int {
	return max(1, int(math.Ceil(ends.Sub(now).Seconds())))
}

// cutPage takes a page of size from items read with a limit of size+1 (the
// extra one says whether there is more) and answers the id to continue
// after, or "" when this is the last page.
func cutPage[T any](items []T, size int, id func(T) string) ([]T, string, error) {
	if len(items) > size {
		return items[:size], id(items[size-1]), nil
	}
	return items, "", nil
}
