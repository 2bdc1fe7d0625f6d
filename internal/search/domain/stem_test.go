package domain

import (
	"slices"
	"testing"
)

func TestStem(t *testing.T) {
	for _, c := range []struct{ a, b, lang string }{
		{"chanteurs", "chanteur", "fr"}, {"canciones", "cancion", "es"}, {"marineros", "marinero", "es"}, //nolint:misspell // Spanish
		{"running", "runs", "en"}, {"books", "book", "en-GB"}, {"hestene", "hester", "nb"},
	} {
		if x, y := Stem(Fold(c.a), c.lang), Stem(Fold(c.b), c.lang); x != y {
			t.Errorf("%s: %q → %q but %q → %q", c.lang, c.a, x, c.b, y)
		}
	}
	if got := Stem("chanteurs", "de"); got != "chanteurs" {
		t.Errorf("no stemmer: %q", got)
	}
	if got := StemText("les chanteurs chantaient", "fr"); got == "les chanteurs chantaient" {
		t.Errorf("StemText left the text alone: %q", got)
	}
	if got := Stems("chanteurs", []string{"fr", "de", "fr"}); !slices.Equal(got, []string{"chanteurs", Stem("chanteurs", "fr")}) {
		t.Errorf("Stems: %q", got)
	}
}
