package domain

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

// commonPasswords is a short list of the most used passwords that are long
// enough to pass the length rule; anything on it is refused outright.
//
//go:embed common_passwords.txt
var commonPasswordsText string

const (
	minPasswordRunes = 10
	maxPasswordRunes = 128
)

// PasswordPolicy checks new passwords. It is built once per service from
// the embedded list; the zero value refuses no common password.
type PasswordPolicy struct {
	common map[string]bool
}

// NewPasswordPolicy builds the policy with the embedded common list.
func NewPasswordPolicy() PasswordPolicy {
	common := map[string]bool{}
	for line := range strings.Lines(commonPasswordsText) {
		if w := strings.TrimSpace(line); w != "" && !strings.HasPrefix(w, "#") {
			common[strings.ToLower(w)] = true
		}
	}
	return PasswordPolicy{common: common}
}

// Check returns why password is not acceptable for the account with the
// (normalised) email, or "" when it is.
func (p PasswordPolicy) Check(password, email string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case n < minPasswordRunes:
		return "must be at least 10 characters"
	case n > maxPasswordRunes:
		return "must be at most 128 characters"
	}
	if strings.ContainsFunc(password, unicode.IsControl) {
		return "must not contain control characters"
	}
	lower := strings.ToLower(password)
	if local, _, _ := strings.Cut(email, "@"); len(local) >= 3 && strings.Contains(lower, local) {
		return "must not contain your email address"
	}
	if allOneRune(password) {
		return "must not repeat a single character"
	}
	if p.common[lower] {
		return "is one of the most common passwords; choose another"
	}
	return ""
}

func allOneRune(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	for _, r := range s {
		if r != first {
			return false
		}
	}
	return true
}
