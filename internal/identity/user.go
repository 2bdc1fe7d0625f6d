package identity

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"

	"github.com/alexandria-platform/alexandria/internal/identity/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// User is an account: the domain's (domain/user.go), named here as the
// rest of the package has always named it.
type User = domain.User

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
