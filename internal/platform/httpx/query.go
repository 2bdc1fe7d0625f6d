package httpx

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// PageSize applies DefaultPageSize when a list request names none.
func PageSize(n int) int {
	if n <= 0 {
		return DefaultPageSize
	}
	return n
}

// LikeEscape is the ESCAPE clause that goes with ContainsPattern; it is the
// same on SQLite and PostgreSQL.
const LikeEscape = "ESCAPE '!'"

// ContainsPattern returns a LIKE pattern matching s anywhere, with LIKE's
// wildcards in s escaped: use it as `col LIKE ? ESCAPE '!'` (LikeEscape).
func ContainsPattern(s string) string {
	return "%" + strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(s) + "%"
}

// TextProblem says what is wrong with user text, or "" when nothing is.
// Control characters (Unicode Cc) are refused, except line breaks and tabs
// when multiline is set (descriptions, biographies); bidirectional
// overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make a name
// display as something else, are refused in single-line text. Invalid UTF-8
// is refused too. NUL in particular never reaches a store: PostgreSQL
// cannot hold it in TEXT.
func TextProblem(s string, multiline bool) string {
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

// CheckQueryText adds a problem on query.<name> to v when value is not
// acceptable single-line text (see TextProblem).
func CheckQueryText(v *errs.Validation, name, value string) {
	if reason := TextProblem(value, false); reason != "" {
		v.Add("query."+name, "%s", reason)
	}
}
