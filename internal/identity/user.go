package identity

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// User is an account.
type User struct {
	ID           string
	Email        string
	DisplayName  string
	PasswordHash string
	Roles        []string
	Suspended    bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64
}

// IsAdmin reports whether the user holds the admin role.
func (u User) IsAdmin() bool { return slices.Contains(u.Roles, auth.RoleAdmin) }

// sessionScopes are the scopes of a password sign-in: everything the
// user's roles allow.
func (u User) sessionScopes() []string {
	if u.IsAdmin() {
		return []string{auth.ScopeRead, auth.ScopeWrite, auth.ScopeAdmin}
	}
	return []string{auth.ScopeRead, auth.ScopeWrite}
}

const maxEmailLen = 254

// normalizeEmail trims and lower-cases an address and checks that it is a
// plain addr-spec with a dotted domain. It returns the reason when not.
func normalizeEmail(raw string) (string, string) {
	email := strings.ToLower(strings.TrimSpace(raw))
	switch {
	case email == "":
		return "", "is required"
	case len(email) > maxEmailLen:
		return "", "must be at most 254 characters"
	case httpx.TextProblem(email, false) != "":
		return "", "is not a valid email address"
	}
	addr, err := mail.ParseAddress(email)
	// ParseAddress also accepts "Name <a@b>"; only the bare address will do.
	if err != nil || addr.Address != email || addr.Name != "" {
		return "", "is not a valid email address"
	}
	_, domain, _ := strings.Cut(email, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", "is not a valid email address"
	}
	return email, ""
}

// normalizeDisplayName trims a display name and checks its length (in
// characters) and that it has no control or bidirectional override
// characters.
func normalizeDisplayName(raw string) (string, string) {
	name := strings.TrimSpace(raw)
	n := utf8.RuneCountInString(name)
	switch {
	case !utf8.ValidString(name):
		return "", "must be valid UTF-8"
	case n < 1:
		return "", "is required"
	case n > 100:
		return "", "must be at most 100 characters"
	}
	if reason := httpx.TextProblem(name, false); reason != "" {
		return "", reason
	}
	return name, ""
}

// normalizeRoles checks requested roles and returns them in canonical order,
// always including reader.
func normalizeRoles(roles []string) ([]string, string) {
	for _, r := range roles {
		if !slices.Contains(auth.AllRoles, r) {
			return nil, "unknown role " + quote(r) + " (use reader, author, moderator, admin)"
		}
	}
	out := []string{auth.RoleReader}
	for _, r := range auth.AllRoles[1:] {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out, ""
}

// encodeRoles stores roles comma-wrapped (",reader,admin,"), so one LIKE
// finds a role; decodeRoles reverses it.
func encodeRoles(roles []string) string { return "," + strings.Join(roles, ",") + "," }

func decodeRoles(s string) []string {
	var out []string
	for r := range strings.SplitSeq(strings.Trim(s, ","), ",") {
		if r != "" {
			out = append(out, r)
		}
	}
	return out
}

func quote(s string) string { return "\"" + s + "\"" }
