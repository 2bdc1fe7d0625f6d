package identity

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"

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

// normalizeEmail trims an address, folds compatibility forms (NFKC: a
// full-width "ａ" is "a") and case, turns an internationalised domain into
// its ASCII (punycode) form, and checks that it is a plain addr-spec with a
// dotted domain. Addresses that mix look-alike scripts in the local part or
// in a domain label ("pаypal" with a Cyrillic а) are refused: they exist to
// pass for someone else. It returns the reason when the address is refused.
func normalizeEmail(raw string) (string, string) {
	email := strings.ToLower(norm.NFKC.String(strings.TrimSpace(raw)))
	switch {
	case email == "":
		return "", "is required"
	case len(email) > maxEmailLen:
		return "", "must be at most 254 characters"
	case httpx.TextProblem(email, false) != "":
		return "", "is not a valid email address"
	}
	at := strings.LastIndexByte(email, '@')
	if at <= 0 {
		return "", "is not a valid email address"
	}
	local, domain := email[:at], email[at+1:]
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", "is not a valid email address"
	}
	unicodeDomain, _ := idna.Lookup.ToUnicode(ascii)
	for _, part := range append([]string{local}, strings.Split(unicodeDomain, ".")...) {
		if scripts := lookalikeScripts(part); len(scripts) > 1 {
			return "", "mixes letters of different scripts (" + strings.Join(scripts, ", ") + "); use one script per part"
		}
	}
	email = local + "@" + ascii
	if len(email) > maxEmailLen {
		return "", "must be at most 254 characters"
	}
	addr, err := mail.ParseAddress(email)
	// ParseAddress also accepts "Name <a@b>"; only the bare address will do.
	if err != nil || addr.Address != email || addr.Name != "" {
		return "", "is not a valid email address"
	}
	if !strings.Contains(ascii, ".") || strings.HasPrefix(ascii, ".") || strings.HasSuffix(ascii, ".") {
		return "", "is not a valid email address"
	}
	return email, ""
}

// confusableScripts are scripts whose letters pass for each other's.
var confusableScripts = []struct {
	name  string
	table *unicode.RangeTable
}{{"Latin", unicode.Latin}, {"Greek", unicode.Greek}, {"Cyrillic", unicode.Cyrillic}, {"Armenian", unicode.Armenian}}

// lookalikeScripts lists the confusable scripts whose letters occur in s.
func lookalikeScripts(s string) []string {
	var out []string
	for _, sc := range confusableScripts {
		for _, r := range s {
			if unicode.Is(sc.table, r) {
				out = append(out, sc.name)
				break
			}
		}
	}
	return out
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
