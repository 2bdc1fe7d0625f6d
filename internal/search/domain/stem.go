package domain

import (
	"strings"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/hungarian"
	"github.com/kljensen/snowball/norwegian"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"github.com/kljensen/snowball/swedish"
)

// Stemming on SQLite is done here, in Go, with Snowball stemmers: FTS5's
// only stemmer is English Porter. An item's words are stemmed for its
// language when it is indexed; a query's words are stemmed for every
// language it may meet (the language filter's, else each language of the
// indexed items) and any of those forms matches. Words are folded before
// they are stemmed, on both sides, so an item and a query always agree.
// PostgreSQL stems with its own text search configurations (PGConfig).

// stemmers are the languages with a Go stemmer, by BCP 47 primary subtag.
var stemmers = map[string]func(string, bool) string{
	"en": english.Stem, "fr": french.Stem, "es": spanish.Stem, "ru": russian.Stem, "sv": swedish.Stem,
	"no": norwegian.Stem, "nb": norwegian.Stem, "nn": norwegian.Stem, "hu": hungarian.Stem,
}

// StemmedLanguages lists the primary subtags SQLite's index stems.
func StemmedLanguages() []string {
	return []string{"en", "es", "fr", "hu", "nb", "nn", "no", "ru", "sv"}
}

func stemmerOf(lang string) func(string, bool) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	return stemmers[base]
}

// Stem is a folded word's stem in lang; the word itself when lang has no
// stemmer.
func Stem(word, lang string) string {
	f := stemmerOf(lang)
	if f == nil || word == "" {
		return word
	}
	out := f(word, true)
	if out == "" {
		return word
	}
	return out
}

// StemText stems every word of folded text (FoldText's form) for lang.
func StemText(folded, lang string) string {
	f := stemmerOf(lang)
	if f == nil || folded == "" {
		return folded
	}
	ws := strings.Fields(folded)
	for i, w := range ws {
		if s := f(w, true); s != "" {
			ws[i] = s
		}
	}
	return strings.Join(ws, " ")
}

// Stems are the forms of a folded query word to look for among items of
// the languages langs: the word itself and its stem in each, deduplicated,
// the word first.
func Stems(word string, langs []string) []string {
	out := []string{word}
	for _, l := range langs {
		s := Stem(word, l)
		if !containsString(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// HasStemmer reports whether StemText changes words of lang.
func HasStemmer(lang string) bool { return stemmerOf(lang) != nil }
