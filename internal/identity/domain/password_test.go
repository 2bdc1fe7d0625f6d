package domain

import (
	"strings"
	"testing"
)

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	policy := NewPasswordPolicy()
	cases := []struct {
		name, password, email string
		wantReason            string // substring; "" means accepted
	}{
		{"ten_characters_pass", "correct-h0rse", "ann@example.org", ""},
		{"nine_characters_too_short", "abcdefgh1", "ann@example.org", "at least 10"},
		{"length_counts_characters_not_bytes", "éééééééé1", "ann@example.org", "at least 10"},
		{"ten_multibyte_characters_pass", "éàüößñçøåé", "ann@example.org", ""},
		{"129_characters_too_long", strings.Repeat("ab", 64) + "c", "ann@example.org", "at most 128"},
		{"128_characters_pass", strings.Repeat("ab", 64), "ann@example.org", ""},
		{"email_local_part_refused", "annabelle", "annabelle@example.org", "at least 10"},
		{"containing_email_local_part_refused", "xxannabelle2024", "annabelle@example.org", "email"},
		{"local_part_match_is_case_insensitive", "ANNABELLE-2024", "annabelle@example.org", "email"},
		{"all_one_character_refused", "aaaaaaaaaaaa", "ann@example.org", "single character"},
		{"common_password_refused", "Password123", "ann@example.org", "common"},
		{"common_password_list_has_digits", "1234567890", "bob@example.org", "common"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := policy.Check(c.password, c.email)
			if c.wantReason == "" && got != "" {
				t.Fatalf("refused %q: %s", c.password, got)
			}
			if c.wantReason != "" && !strings.Contains(got, c.wantReason) {
				t.Fatalf("check(%q) = %q, want a reason containing %q", c.password, got, c.wantReason)
			}
		})
	}
}
