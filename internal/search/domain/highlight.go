package domain

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Highlight returns text, HTML-escaped, with every word matching one of
// the query's terms wrapped in <mark>…</mark>, and whether any did.
func Highlight(text string, terms []Term) (string, bool) {
	var b strings.Builder
	found := false
	forEachWord(text, func(seg string, word bool) {
		if word && matches(Fold(seg), terms) {
			found = true
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(seg))
			b.WriteString("</mark>")
			return
		}
		b.WriteString(html.EscapeString(seg))
	})
	return b.String(), found
}

// Snippet returns a window of about width runes of text around its first
// word matching terms, highlighted, with … where it was cut; ok is false
// when no word matches.
func Snippet(text string, terms []Term, width int) (string, bool) {
	at := -1
	pos := 0
	forEachWord(text, func(seg string, word bool) {
		if at < 0 && word && matches(Fold(seg), terms) {
			at = pos
		}
		pos += len(seg)
	})
	if at < 0 {
		return "", false
	}
	start := at
	for n := 0; start > 0 && n < width/3; n++ {
		_, size := utf8.DecodeLastRuneInString(text[:start])
		start -= size
	}
	end := at
	for n := 0; end < len(text) && n < width; n++ {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
	}
	// Cut on spaces so words stay whole.
	if start > 0 {
		if k := strings.IndexFunc(text[start:at], unicode.IsSpace); k >= 0 {
			start += k + 1
		}
	}
	if end < len(text) {
		if k := strings.LastIndexFunc(text[at:end], unicode.IsSpace); k > 0 {
			end = at + k
		}
	}
	frag := strings.Join(strings.Fields(text[start:end]), " ")
	out, _ := Highlight(frag, terms)
	if start > 0 {
		out = "…" + out
	}
	if end < len(text) {
		out += "…"
	}
	return out, true
}

func matches(w string, terms []Term) bool {
	for _, t := range terms {
		if w == t.Word || (t.Prefix && strings.HasPrefix(w, t.Word)) {
			return true
		}
		for _, a := range t.Alternatives {
			if w == a {
				return true
			}
		}
		// A stemmed match: the word and the term share a long stem.
		if len(t.Word) >= 5 && len(w) >= 5 && commonPrefix(w, t.Word) >= max(4, min(len(w), len(t.Word))-3) {
			return true
		}
	}
	return false
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// forEachWord calls fn with consecutive segments of text, each either a
// word (letters and digits) or what lies between words.
func forEachWord(text string, fn func(seg string, word bool)) {
	start, inWord := 0, false
	for i, r := range text {
		w := unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
		if i > start && w != inWord {
			fn(text[start:i], inWord)
			start = i
		}
		inWord = w
	}
	if start < len(text) {
		fn(text[start:], inWord)
	}
}
