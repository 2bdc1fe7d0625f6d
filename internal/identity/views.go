package identity

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// userJSON is a user as the account owner and administrators see it.
type userJSON struct {
	ID          string    `json:"id" doc:"User ID (UUID)"`
	Email       string    `json:"email" doc:"Sign-in email, lower-case"`
	DisplayName string    `json:"display_name" doc:"Name shown to others"`
	Roles       []string  `json:"roles" doc:"Roles: reader, author, moderator, admin"`
	Suspended   bool      `json:"suspended" doc:"A suspended user cannot sign in"`
	CreatedAt   time.Time `json:"created_at" doc:"When the account was created (RFC 3339, UTC)"`
	UpdatedAt   time.Time `json:"updated_at" doc:"When the account last changed (RFC 3339, UTC)"`
	Version     int64     `json:"version" doc:"Version; the ETag is its quoted value"`
}

func toUserJSON(u User) userJSON {
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	return userJSON{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Roles: roles, Suspended: u.Suspended,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(), Version: u.Version}
}

// userOutput answers one full user with its ETag.
type userOutput struct {
	ETag string `header:"ETag" doc:"Current version of the user"`
	Body userJSON
}

func newUserOutput(u User) *userOutput {
	return &userOutput{ETag: httpx.ETag(u.Version), Body: toUserJSON(u)}
}

// idPosition is the keyset position of lists ordered by id; Order ties a
// page token to its list's order.
type idPosition struct {
	Order string `json:"o"`
	After string `json:"a"`
}

func decodeIDPosition(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	var pos idPosition
	if err := httpx.DecodePageToken(token, &pos); err != nil {
		return "", err
	}
	if pos.Order != "id" || !validUserID(pos.After) {
		return "", errs.InvalidField("query.page_token", "is not a page token for this list")
	}
	return pos.After, nil
}

func encodeIDPosition(lastID string) string {
	return httpx.EncodePageToken(idPosition{Order: "id", After: lastID})
}
