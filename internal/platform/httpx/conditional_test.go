package httpx

import (
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

func TestIfMatch(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"": 0, "*": 0, `"3"`: 3, `W/"7"`: 7, " \"12\" ": 12} {
		if got, err := IfMatch(in); err != nil || got != want {
			t.Errorf("IfMatch(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"garbage", `"0"`, `"-1"`, `"x"`} {
		if _, err := IfMatch(in); errs.KindOf(err) != errs.PreconditionFailed {
			t.Errorf("IfMatch(%q) = %v, want PreconditionFailed", in, err)
		}
	}
	if ETag(42) != `"42"` {
		t.Errorf("ETag(42) = %s", ETag(42))
	}
}

func TestTextProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		multiline bool
		bad       bool
	}{
		{"plain_text_is_fine", "Hello, wörld", false, false},
		{"nul_is_refused", "a\x00b", false, true},
		{"nul_is_refused_in_long_text", "a\x00b", true, true},
		{"newline_in_name_is_refused", "a\nb", false, true},
		{"newline_and_tab_in_long_text_are_fine", "a\n\tb\r\n", true, false},
		{"c1_control_is_refused", "a\u0085b", true, true},
		{"delete_is_refused", "a\x7fb", false, true},
		{"bidi_override_in_name_is_refused", "abc\u202egnp.exe", false, true},
		{"bidi_isolate_in_name_is_refused", "a\u2067b", false, true},
		{"bidi_marks_in_long_text_are_fine", "a\u202eb", true, false},
		{"invalid_utf8_is_refused", "a\xffb", false, true},
		{"real_replacement_character_is_fine", "a\uFFFDb", false, false},
	}
	for _, tt := range tests {
		if got := TextProblem(tt.in, tt.multiline) != ""; got != tt.bad {
			t.Errorf("%s: TextProblem(%q, %v) bad = %v, want %v", tt.name, tt.in, tt.multiline, got, tt.bad)
		}
	}
	if got := ContainsPattern(`50%_off!`); got != `%50!%!_off!!%` {
		t.Errorf("ContainsPattern = %q", got)
	}
	if PageSize(0) != DefaultPageSize || PageSize(7) != 7 {
		t.Error("PageSize")
	}
}
