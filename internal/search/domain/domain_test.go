package domain

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Émile Zola": "emile zola", "Ångström": "angstrom", "CAFÉ": "cafe", "Straße": "straße"} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	if got := FoldText("  Hello, wörld!—again "); got != "hello world again" {
		t.Errorf("FoldText: %q", got)
	}
}

func render(q Query) string {
	var parts []string
	for _, c := range q.Clauses {
		var any []string
		for _, p := range c.Any {
			var ws []string
			for _, t := range p {
				w := t.Word
				if t.Prefix {
					w += "*"
				}
				ws = append(ws, w)
			}
			any = append(any, strings.Join(ws, "+"))
		}
		s := strings.Join(any, "|")
		if c.Negate {
			s = "-" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestParseQuery(t *testing.T) {
	for in, want := range map[string]string{
		`analytical engine`:          "analytical engine",
		`"Analytical Engine" -draft`: "analytical+engine -draft",
		`a OR b c`:                   "a|b c",
		`analy*`:                     "analy*",
		`-"old notes" new`:           "-old+notes new",
		`"unbalanced quote`:          "unbalanced+quote",
		`NEAR(a b) title:x ^y`:       "near a b title x y",
		`'; DROP TABLE x; --`:        "drop table x",
		`OR OR`:                      "",
		`-`:                          "",
		`Café`:                       "cafe",
	} {
		if got := render(ParseQuery(in)); got != want {
			t.Errorf("ParseQuery(%q) = %q, want %q", in, got, want)
		}
	}
	if q := ParseQuery("-only -negations"); q.Positive() {
		t.Error("only negations is not positive")
	}
	if n := len(ParseQuery(strings.Repeat("word ", 100)).Clauses); n != MaxTerms {
		t.Errorf("terms kept: %d", n)
	}
	if w := ParseQuery(strings.Repeat("x", 500)).Clauses[0].Any[0][0].Word; len(w) != MaxWordRunes {
		t.Errorf("long word kept at %d", len(w))
	}
}

func TestDistanceAndTolerance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"kitten", "sitting", 3}, {"cormorant", "cormorrant", 1}, {"", "abc", 3}, {"émile", "emile", 1}} {
		if got := Distance(c.a, c.b); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
	if Tolerance("abc") != 0 || Tolerance("abcd") != 1 || Tolerance("abcdefgh") != 2 {
		t.Error("tolerance")
	}
}

func TestHighlightEscapes(t *testing.T) {
	got, ok := Highlight(`<b>Engine</b> & engines`, []Term{{Word: "engine"}})
	if !ok || got != `&lt;b&gt;<mark>Engine</mark>&lt;/b&gt; &amp; <mark>engines</mark>` {
		t.Errorf("Highlight: %q", got)
	}
	snip, ok := Snippet(strings.Repeat("filler words here ", 40)+"the heron stands "+strings.Repeat("more words ", 40), []Term{{Word: "heron"}}, 60)
	if !ok || !strings.Contains(snip, "<mark>heron</mark>") || !strings.HasPrefix(snip, "…") || !strings.HasSuffix(snip, "…") {
		t.Errorf("Snippet: %q", snip)
	}
}
