package httpx

import (
	"encoding/base64"
	"encoding/json"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// DefaultPageSize is used when a list request names no page_size.
const DefaultPageSize = 20

// EncodePageToken turns a keyset position into an opaque page token.
func EncodePageToken(pos any) string {
	b, err := json.Marshal(pos)
	if err != nil {
		// Positions are plain structs of strings and numbers.
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodePageToken reads a token made by EncodePageToken into pos. A token
// that is not ours is an Invalid error on the page_token field.
func DecodePageToken(token string, pos any) error {
	if len(token) > 1024 {
		return errs.InvalidField("query.page_token", "is not a page token from this API")
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return errs.InvalidField("query.page_token", "is not a page token from this API")
	}
	if err := json.Unmarshal(b, pos); err != nil {
		return errs.InvalidField("query.page_token", "is not a page token from this API")
	}
	return nil
}
