package domain

import (
	_ "embed"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

//go:embed licenses.txt
var licenseList string

// licenses maps the lower-cased SPDX identifier to its canonical spelling;
// SPDX says identifiers match case-insensitively, we store the canonical one.
// It is built from an embedded constant and never written, so it is safe to share.
var licenses = func() map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(licenseList, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out[strings.ToLower(line)] = line
	}
	return out
}()

// CanonicalLicense returns the SPDX identifier as listed, or false when it is
// not one we accept. The empty string means "no license stated".
func CanonicalLicense(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	c, ok := licenses[strings.ToLower(strings.TrimSpace(s))]
	return c, ok
}

// CanonicalLanguage parses a BCP 47 tag and returns its canonical form.
func CanonicalLanguage(s string) (string, error) {
	if len(s) > 35 {
		return "", fmt.Errorf("is too long for a language tag")
	}
	tag, err := language.Parse(s)
	if err != nil {
		return "", fmt.Errorf("is not a BCP 47 language tag (e.g. en, pt-BR)")
	}
	return tag.String(), nil
}

// NormalizeTags trims, lower-cases and de-duplicates tags, keeping the first
// occurrence's position, and reports problems under field[i].
func NormalizeTags(v *errs.Validation, field string, tags []string, max int) []string {
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for i, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		n := utf8.RuneCountInString(t)
		switch {
		case n == 0:
			v.Add(fmt.Sprintf("%s[%d]", field, i), "must not be empty")
			continue
		case n > 50:
			v.Add(fmt.Sprintf("%s[%d]", field, i), "must be at most 50 characters")
			continue
		case textProblem(t, false) != "":
			v.Add(fmt.Sprintf("%s[%d]", field, i), "%s", textProblem(t, false))
			continue
		case seen[t]:
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) > max {
		v.Add(field, "must hold at most %d distinct tags", max)
	}
	return out
}

// checkText validates a single-line text field (a name, a title): its
// length in characters, and no control or bidirectional override characters.
func checkText(v *errs.Validation, field, s string, min, max int) {
	checkTextOf(v, field, s, min, max, false)
}

// checkLongText validates free text (a description, a biography): line
// breaks and tabs are allowed, other control characters are not.
func checkLongText(v *errs.Validation, field, s string, min, max int) {
	checkTextOf(v, field, s, min, max, true)
}

func checkTextOf(v *errs.Validation, field, s string, min, max int, multiline bool) {
	n := utf8.RuneCountInString(s)
	switch {
	case min > 0 && strings.TrimSpace(s) == "":
		v.Add(field, "must not be empty")
	case n < min:
		v.Add(field, "must be at least %d characters", min)
	case n > max:
		v.Add(field, "must be at most %d characters", max)
	case textProblem(s, multiline) != "":
		v.Add(field, "%s", textProblem(s, multiline))
	}
}

// textProblem says what is wrong with user text, or "" when nothing is:
// invalid UTF-8; control characters (Unicode Cc) except line breaks and
// tabs in multiline text; bidirectional overrides and isolates
// (U+202A–U+202E, U+2066–U+2069), which make a name display as something
// else, in single-line text. NUL in particular must never reach a store:
// PostgreSQL cannot hold it. (The HTTP layer applies the same rule to query
// parameters, httpx.TextProblem; the domain does not import it.)
func textProblem(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.Is(unicode.Cc, r):
			return "must not contain control characters"
		case !multiline && ((r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)):
			return "must not contain bidirectional override characters"
		}
	}
	return ""
}

// checkIDs validates a list of UUIDs and rejects duplicates.
func checkIDs(v *errs.Validation, field string, ids []string) {
	seen := map[string]bool{}
	for i, id := range ids {
		name := fmt.Sprintf("%s[%d]", field, i)
		if !ValidID(id) {
			v.Add(name, "is not a UUID")
		} else if seen[id] {
			v.Add(name, "is listed twice")
		}
		seen[id] = true
	}
}

// ValidID reports whether s is a UUID in canonical (lower-case, dashed) form,
// the only form catalog ever hands out.
func ValidID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

// NewID returns a fresh time-ordered ID; ordering by ID is ordering by creation.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// checkLink validates an external link of an author profile.
func checkLink(v *errs.Validation, field string, l AuthorLink) {
	checkText(v, field+".title", l.Title, 1, 200)
	if len(l.URL) > 2000 {
		v.Add(field+".url", "must be at most 2000 characters")
		return
	}
	if reason := textProblem(l.URL, false); reason != "" {
		v.Add(field+".url", "%s", reason)
		return
	}
	u, err := url.Parse(l.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.Add(field+".url", "must be an absolute http or https URL")
	}
}

// checkAvatar accepts only an absolute http(s) URL (or nothing): the avatar
// lands in an <img src> of every page that shows the author, where a
// javascript:, data: or file: URL has no business.
func checkAvatar(v *errs.Validation, avatar string) {
	if avatar == "" {
		return
	}
	u, err := url.Parse(avatar)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		v.Add("avatar", "must be an absolute http or https URL")
	}
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s is a well-formed slug.
func ValidSlug(s string) bool { return len(s) <= 100 && slugPattern.MatchString(s) }

// Slugify derives a slug from a name: accents dropped, lower-case ASCII
// letters and digits, everything else collapsed into single dashes.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
		if b.Len() >= 100 {
			break
		}
	}
	return strings.Trim(b.String()[:min(b.Len(), 100)], "-")
}
