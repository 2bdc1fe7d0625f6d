package domain

import (
	"errors"
	"slices"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

func TestCanonicalLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"en", "en"}, {"pt-br", "pt-BR"}, {"EN-gb", "en-GB"}, {"zh-Hant-TW", "zh-Hant-TW"},
		{"not a tag", ""}, {"e", ""}, {"en-", ""}, {"xx-yy-zz-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := CanonicalLanguage(tt.in)
			if tt.want == "" && err == nil {
				t.Fatalf("CanonicalLanguage(%q) = %q, want an error", tt.in, got)
			}
			if tt.want != "" && got != tt.want {
				t.Fatalf("CanonicalLanguage(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestCanonicalLicense(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"MIT", "MIT", true}, {"mit", "MIT", true}, {"cc-by-sa-4.0", "CC-BY-SA-4.0", true},
		{"LicenseRef-All-Rights-Reserved", "LicenseRef-All-Rights-Reserved", true}, {"", "", true},
		{"GPL", "", false}, {"Proprietary", "", false}, {"# SPDX identifiers accepted as a media license, one a line.", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, ok := CanonicalLicense(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("CanonicalLicense(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNormalizeTags(t *testing.T) {
	t.Parallel()
	long := "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
	tests := []struct {
		name  string
		in    []string
		want  []string
		valid bool
	}{
		{"trims_and_lowercases", []string{"  Go ", "SQL"}, []string{"go", "sql"}, true},
		{"deduplicates_after_normalising", []string{"Go", "go", " GO"}, []string{"go"}, true},
		{"empty_tag_is_invalid", []string{"go", "  "}, nil, false},
		{"long_tag_is_invalid", []string{long}, nil, false},
		{"too_many_tags_is_invalid", []string{"a", "b", "c", "d", "e", "f"}, nil, false},
		{"duplicates_do_not_count_toward_limit", []string{"a", "b", "c", "d", "e", "A"}, []string{"a", "b", "c", "d", "e"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v errs.Validation
			got := NormalizeTags(&v, "tags", tt.in, 5)
			if (v.Err() == nil) != tt.valid {
				t.Fatalf("valid = %v, want %v (%v)", v.Err() == nil, tt.valid, v.Err())
			}
			if tt.valid && !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Science Fiction", "science-fiction"}, {"Ciência & Tecnologia!", "ciencia-tecnologia"},
		{"  --Hello--World-- ", "hello-world"}, {"日本語", ""}, {"C++ 2024", "c-2024"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got := Slugify(tt.in)
			if got != tt.want {
				t.Fatalf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got != "" && !ValidSlug(got) {
				t.Fatalf("Slugify(%q) = %q is not a valid slug", tt.in, got)
			}
		})
	}
}

func TestCategoryCycle(t *testing.T) {
	t.Parallel()
	c := Category{ID: NewID()}
	if err := c.CheckParent([]string{NewID(), c.ID}); errs.KindOf(err) != errs.Conflict {
		t.Fatalf("moving under a descendant: %v, want a conflict", err)
	}
	if err := c.CheckParent([]string{NewID()}); err != nil {
		t.Fatalf("moving elsewhere: %v", err)
	}
	if _, err := NewCategory(member, CategoryFields{Name: ptr("x")}, t0); errs.KindOf(err) != errs.Forbidden {
		t.Fatalf("non-moderator creating a category: %v, want forbidden", err)
	}
}

func TestTextFieldsRefuseControlAndOverrideCharacters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		run       func() error
		wantField string
	}{
		{"nul_in_author_name", func() error { _, err := NewAuthor(owner, AuthorProfile{Name: ptr("A\x00")}, t0); return err }, "name"},
		{"bidi_override_in_author_name", func() error { _, err := NewAuthor(owner, AuthorProfile{Name: ptr("A\u202eB")}, t0); return err }, "name"},
		{"nul_in_bio", func() error {
			_, err := NewAuthor(owner, AuthorProfile{Name: ptr("A"), Bio: ptr("x\x00")}, t0)
			return err
		}, "bio"},
		{"nul_in_link_url", func() error {
			_, err := NewAuthor(owner, AuthorProfile{Name: ptr("A"), Links: &[]AuthorLink{{Title: "t", URL: "https://x.org/\x00"}}}, t0)
			return err
		}, "links[0].url"},
		{"escape_in_category_name", func() error { _, err := NewCategory(moderator, CategoryFields{Name: ptr("C\x1b[31m")}, t0); return err }, "name"},
		{"bidi_isolate_in_tag", func() error {
			var v errs.Validation
			NormalizeTags(&v, "tags", []string{"ok", "a\u2066b"}, 5)
			return v.Err()
		}, "tags[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var e *errs.Error
			if err := tt.run(); !errors.As(err, &e) || len(e.Fields) == 0 || e.Fields[0].Name != tt.wantField {
				t.Fatalf("err = %v, want a problem on %s", err, tt.wantField)
			}
		})
	}
	// Long text keeps its line breaks and right-to-left marks.
	if _, err := NewAuthor(owner, AuthorProfile{Name: ptr("A"), Bio: ptr("line one\r\n\tline \u202etwo")}, t0); err != nil {
		t.Fatalf("multi-line bio refused: %v", err)
	}
}
