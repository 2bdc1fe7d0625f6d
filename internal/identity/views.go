package identity

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// userJSON is a user as the account owner and administrators see it.
type userJSON struct {
	ID            string    `json:"id" doc:"User ID (UUID)"`
	Email         string    `json:"email" doc:"Sign-in email, lower-case"`
	DisplayName   string    `json:"display_name" doc:"Name shown to others"`
	Roles         []string  `json:"roles" doc:"Roles: reader, author, moderator, admin"`
	Suspended     bool      `json:"suspended" doc:"A suspended user cannot sign in"`
	EmailVerified bool      `json:"email_verified" doc:"The owner followed a verification (or password reset) link mailed to this address"`
	CreatedAt     time.Time `json:"created_at" doc:"When the account was created (RFC 3339, UTC)"`
	UpdatedAt     time.Time `json:"updated_at" doc:"When the account last changed (RFC 3339, UTC)"`
	Version       int64     `json:"version" doc:"Version; the ETag is its quoted value"`
}

func toUserJSON(u User) userJSON {
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	return userJSON{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Roles: roles, Suspended: u.Suspended, EmailVerified: u.EmailVerified,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(), Version: u.Version}
}

// userLookupJSON is a user as anyone may see it: administrators and the user
// get every field, everyone else only id and display_name of an active user
// (other services use this to check that a user exists).
type userLookupJSON struct {
	ID            string     `json:"id" doc:"User ID (UUID)"`
	DisplayName   string     `json:"display_name" doc:"Name shown to others"`
	Email         string     `json:"email,omitempty" doc:"Only for the user and administrators"`
	Roles         []string   `json:"roles,omitempty" doc:"Only for the user and administrators"`
	Suspended     *bool      `json:"suspended,omitempty" doc:"Only for the user and administrators"`
	EmailVerified *bool      `json:"email_verified,omitempty" doc:"Only for the user and administrators"`
	CreatedAt     *time.Time `json:"created_at,omitempty" doc:"Only for the user and administrators"`
	UpdatedAt     *time.Time `json:"updated_at,omitempty" doc:"Only for the user and administrators"`
	Version       *int64     `json:"version,omitempty" doc:"Only for the user and administrators"`
}

// toFullUserLookupJSON is the lookup answer for the user and administrators.
func toFullUserLookupJSON(u User) userLookupJSON {
	full := toUserJSON(u)
	return userLookupJSON{ID: full.ID, DisplayName: full.DisplayName, Email: full.Email, Roles: full.Roles,
		Suspended: &full.Suspended, EmailVerified: &full.EmailVerified, CreatedAt: &full.CreatedAt, UpdatedAt: &full.UpdatedAt, Version: &full.Version}
}

// toPublicUserLookupJSON is the lookup answer for everyone else.
func toPublicUserLookupJSON(u User) userLookupJSON {
	return userLookupJSON{ID: u.ID, DisplayName: u.DisplayName}
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

// viewPage turns one page of a list ordered by id into its views (never
// null) and the token of the next page ("" after the last), where next is
// the id to continue after.
func viewPage[T, V any](items []T, next string, view func(T) V) ([]V, string) {
	out := make([]V, 0, len(items))
	for _, it := range items {
		out = append(out, view(it))
	}
	if next == "" {
		return out, ""
	}
	return out, encodeIDPosition(next)
}

// tokenJSON is the OAuth-style token response.
type tokenJSON struct {
	AccessToken  string `json:"access_token" doc:"EdDSA JWT to send as Authorization: Bearer"`
	RefreshToken string `json:"refresh_token,omitempty" doc:"Opaque, single-use; trade it at POST /v1/auth/refresh. Absent for API token exchanges"`
	TokenType    string `json:"token_type" doc:"Always Bearer"`
	ExpiresIn    int    `json:"expires_in" doc:"Seconds until the access token expires"`
	DeviceToken  string `json:"device_token,omitempty" doc:"Password sign-ins only: keep it and send it with the next sign-in from this device, so that someone else's failed attempts do not lock you out (browsers get it as the alexandria_device cookie)"`
}

// sessionTokenJSON is the browser sign-in answer: the access token only.
type sessionTokenJSON struct {
	AccessToken string `json:"access_token" doc:"EdDSA JWT to send as Authorization: Bearer; keep it in memory"`
	TokenType   string `json:"token_type" doc:"Always Bearer"`
	ExpiresIn   int    `json:"expires_in" doc:"Seconds until the access token expires"`
}

// apiTokenJSON is a personal API token; Token is set only on creation.
type apiTokenJSON struct {
	ID         string     `json:"id" doc:"Token ID"`
	Name       string     `json:"name" doc:"What the token is for"`
	Scopes     []string   `json:"scopes" doc:"What the token may do"`
	CreatedAt  time.Time  `json:"created_at" doc:"When it was made"`
	ExpiresAt  time.Time  `json:"expires_at" doc:"When it stops working"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" doc:"When it was last exchanged"`
	Token      string     `json:"token,omitempty" doc:"The secret (alx_...), shown only in the creation response"`
}

func toAPITokenJSON(t APIToken) apiTokenJSON {
	return apiTokenJSON{ID: t.ID, Name: t.Name, Scopes: t.Scopes, CreatedAt: t.CreatedAt,
		ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt}
}

// signingKeyJSON describes a key without its material.
type signingKeyJSON struct {
	KID       string     `json:"kid" doc:"Key ID, the kid header of tokens it signs"`
	Active    bool       `json:"active" doc:"Whether it signs new tokens"`
	CreatedAt time.Time  `json:"created_at" doc:"When it was made"`
	RetiredAt *time.Time `json:"retired_at,omitempty" doc:"When it stopped signing; it stays in the JWKS for key_retention after"`
}

func toSigningKeyJSON(k keyInfo) signingKeyJSON {
	return signingKeyJSON{KID: k.KID, Active: k.RetiredAt == nil, CreatedAt: k.CreatedAt, RetiredAt: k.RetiredAt}
}
