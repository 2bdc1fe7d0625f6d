package httpx

import (
	"strconv"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// ETag formats a resource version as the strong ETag every service
// answers: "<version>".
func ETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// IfMatch reads an If-Match header into the version it requires: 0 when
// none is sent (or "*"), else the version of a strong or weak ETag we
// issued. Anything else can never match, so it is PreconditionFailed at
// once, before any work is done.
func IfMatch(header string) (int64, error) {
	h := strings.TrimSpace(header)
	if h == "" || h == "*" {
		return 0, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil || v < 1 {
		return 0, errs.New(errs.PreconditionFailed, "If-Match %q is not an ETag of this resource", h)
	}
	return v, nil
}

// BearerSecurity is the Security of an operation that needs a signed-in
// caller. OptionalBearerSecurity documents one that works with or without.
func BearerSecurity() []map[string][]string { return []map[string][]string{{BearerAuth: {}}} }

// OptionalBearerSecurity is the Security of an operation that takes a
// bearer token when there is one (OpenAPI's empty requirement: none needed).
func OptionalBearerSecurity() []map[string][]string {
	return []map[string][]string{{}, {BearerAuth: {}}}
}
