package identity

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
		ok             bool
	}{
		{"trimmed_and_lower_cased", "  Ann.Lee@Example.ORG ", "ann.lee@example.org", true},
		{"plus_address_kept", "ann+books@example.org", "ann+books@example.org", true},
		{"empty_refused", "   ", "", false},
		{"no_at_refused", "ann.example.org", "", false},
		{"domain_without_dot_refused", "ann@localhost", "", false},
		{"domain_ending_in_dot_refused", "ann@example.", "", false},
		{"display_name_form_refused", "Ann <ann@example.org>", "", false},
		{"two_ats_refused", "ann@lee@example.org", "", false},
		{"too_long_refused", strings.Repeat("a", 250) + "@x.org", "", false},
		{"compatibility_forms_folded", "ａｎｎ@ｅｘａｍｐｌｅ.org", "ann@example.org", true},
		{"unicode_domain_becomes_punycode", "ann@bücher.example", "ann@xn--bcher-kva.example", true},
		{"all_cyrillic_local_part_kept", "иван@example.org", "иван@example.org", true},
		{"latin_mixed_with_cyrillic_refused", "p\u0430ypal@example.org", "", false},
		{"latin_mixed_with_greek_refused", "\u03bfscar@example.org", "", false},
		{"mixed_script_domain_label_refused", "ann@ex\u0430mple.org", "", false},
		{"digits_and_dots_mix_with_any_script", "иван.2024@example.org", "иван.2024@example.org", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, reason := normalizeEmail(c.in)
			if (reason == "") != c.ok || got != c.want {
				t.Fatalf("normalizeEmail(%q) = %q, %q", c.in, got, reason)
			}
		})
	}
}

func TestNormalizeDisplayName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
		ok             bool
	}{
		{"trimmed", "  Ann Lee ", "Ann Lee", true},
		{"unicode_kept", "Zoë Ōkubo", "Zoë Ōkubo", true},
		{"blank_refused", "   ", "", false},
		{"control_character_refused", "Ann\x00Lee", "", false},
		{"newline_refused", "Ann\nLee", "", false},
		{"100_characters_pass", strings.Repeat("é", 100), strings.Repeat("é", 100), true},
		{"101_characters_refused", strings.Repeat("é", 101), "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, reason := normalizeDisplayName(c.in)
			if (reason == "") != c.ok || got != c.want {
				t.Fatalf("normalizeDisplayName(%q) = %q, %q", c.in, got, reason)
			}
		})
	}
}

func TestRolesRoundTripThroughStorage(t *testing.T) {
	t.Parallel()
	if enc := encodeRoles([]string{"reader", "admin"}); !slices.Equal(decodeRoles(enc), []string{"reader", "admin"}) {
		t.Fatalf("roles_round_trip: %q", enc)
	}
}

func TestMemoryCounter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newMemoryCounter(func() time.Time { return now })
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		if n, _, _ := c.Add(ctx, "k", time.Minute); n != i {
			t.Fatalf("add %d: count %d", i, n)
		}
	}
	if n, ends, _ := c.Peek(ctx, "k"); n != 3 || !ends.Equal(now.Add(time.Minute)) {
		t.Fatalf("peek = %d, %v", n, ends)
	}
	now = now.Add(time.Minute)
	if n, _, _ := c.Peek(ctx, "k"); n != 0 {
		t.Fatalf("window_end_resets_count: %d", n)
	}
	if n, _, _ := c.Add(ctx, "k", time.Minute); n != 1 {
		t.Fatalf("new window starts at one: %d", n)
	}
	_ = c.Reset(ctx, "k")
	if n, _, _ := c.Peek(ctx, "k"); n != 0 {
		t.Fatalf("reset forgets: %d", n)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults_are_valid: %v", err)
	}
	c := DefaultConfig()
	c.KeyRetention = c.AccessTokenTTL
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "identity.key_retention") {
		t.Fatalf("key_retention_must_outlive_access_tokens: %v", err)
	}
	c = DefaultConfig()
	c.AdminPassword = "short"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "identity.admin_password") {
		t.Fatalf("weak_admin_password_refused: %v", err)
	}
}
