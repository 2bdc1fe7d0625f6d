// Package domain holds search's rules in plain Go: how text is folded into
// words, how a user's query is read, how hits are highlighted and how close
// a misspelt word is to a known one. Nothing here touches a store.
package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits on what a query may ask, so a hostile one costs no more than a
// normal one.
const (
	MaxQueryBytes = 512
	MaxTerms      = 16
	MaxWordRunes  = 64
)

// Fold lower-cases s and strips its diacritics (é → e, ß stays ß): the form
// every indexed text and every query word takes, identical on both stores.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return norm.NFC.String(b.String())
}

// Words splits folded text into its words: runs of letters and digits.
func Words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// FoldText folds s and keeps only its words separated by single spaces: the
// form written into the full-text indexes.
func FoldText(s string) string { return strings.Join(Words(Fold(s)), " ") }

// Term is one word of a query.
type Term struct {
	Word   string
	Prefix bool // written word*
	// Alternatives are known words close to a misspelt Word (filled by
	// the app layer); a term matches any of them.
	Alternatives []string
}

// Clause is one thing a document must (or must not) match: a single
// term, a quoted phrase, or several of those joined by OR.
type Clause struct {
	// Any holds the alternatives joined by OR; each is a phrase of one or
	// more terms (a single term is a phrase of one).
	Any    [][]Term
	Negate bool
}

// Query is a parsed search query: every clause must hold.
type Query struct {
	Clauses []Clause
}

// Empty reports a query with nothing a document must contain (no words,
// or only negations): it browses.
func (q Query) Empty() bool {
	for _, c := range q.Clauses {
		if !c.Negate {
			return false
		}
	}
	return true
}

// Positive reports whether the query has anything to look for.
func (q Query) Positive() bool { return !q.Empty() }

// Words returns every positive word of the query (for highlighting).
func (q Query) Words() []Term {
	var out []Term
	for _, c := range q.Clauses {
		if c.Negate {
			continue
		}
		for _, p := range c.Any {
			out = append(out, p...)
		}
	}
	return out
}

// ParseQuery reads the query syntax: words (all must match), "quoted
// phrases", -word or -"phrase" (must not match), OR between two clauses,
// and word* for a prefix. Everything else — other operators, unbalanced
// quotes, punctuation, SQL or FTS syntax — is treated as word separators,
// so a query can never be a syntax error. Invalid UTF-8 and control
// characters are reported by the caller before this.
func ParseQuery(s string) Query {
	type token struct {
		words  []Term
		negate bool
		or     bool
	}
	var toks []token
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '"' || (r == '-' && i+1 < len(s) && s[i+1] == '"'):
			neg := r == '-'
			if neg {
				i++
			}
			end := strings.IndexByte(s[i+1:], '"')
			var body string
			if end < 0 {
				body, i = s[i+1:], len(s)
			} else {
				body, i = s[i+1:i+1+end], i+1+end+1
			}
			var ts []Term
			for _, w := range Words(Fold(body)) {
				ts = append(ts, Term{Word: clip(w)})
			}
			if len(ts) > 0 {
				toks = append(toks, token{words: ts, negate: neg})
			}
		default:
			j := i
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if unicode.IsSpace(r2) || r2 == '"' {
					break
				}
				j += sz
			}
			raw := s[i:j]
			i = j
			if raw == "OR" || raw == "|" {
				toks = append(toks, token{or: true})
				continue
			}
			neg := strings.HasPrefix(raw, "-")
			raw = strings.TrimLeft(raw, "-")
			prefix := strings.HasSuffix(raw, "*")
			ws := Words(Fold(raw))
			for k, w := range ws {
				t := Term{Word: clip(w), Prefix: prefix && k == len(ws)-1}
				toks = append(toks, token{words: []Term{t}, negate: neg})
			}
		}
	}
	var q Query
	n := 0
	pendingOr := false
	for _, t := range toks {
		if t.or {
			pendingOr = len(q.Clauses) > 0
			continue
		}
		if n >= MaxTerms {
			break
		}
		n += len(t.words)
		last := len(q.Clauses) - 1
		if pendingOr && !t.negate && !q.Clauses[last].Negate {
			q.Clauses[last].Any = append(q.Clauses[last].Any, t.words)
		} else {
			q.Clauses = append(q.Clauses, Clause{Any: [][]Term{t.words}, Negate: t.negate})
		}
		pendingOr = false
	}
	return q
}

func clip(w string) string {
	if utf8.RuneCountInString(w) <= MaxWordRunes {
		return w
	}
	r := []rune(w)
	return string(r[:MaxWordRunes])
}

// Distance is the Levenshtein distance between a and b, in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Tolerance is how many edits a word of this length may be away from a
// known word and still count as a misspelling of it.
func Tolerance(word string) int {
	switch n := utf8.RuneCountInString(word); {
	case n < 4:
		return 0
	case n < 8:
		return 1
	default:
		return 2
	}
}

// Trigrams returns the distinct three-letter pieces of a word, for finding
// known words that share most of them.
func Trigrams(word string) []string {
	r := []rune(word)
	seen := map[string]bool{}
	var out []string
	for i := 0; i+3 <= len(r); i++ {
		g := string(r[i : i+3])
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// PGConfig is the PostgreSQL text search configuration for a BCP 47
// language tag: the stemmer of the language when PostgreSQL ships one,
// else simple (no stemming).
func PGConfig(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if c, ok := pgConfigs[base]; ok {
		return c
	}
	return "simple"
}

var pgConfigs = map[string]string{
	"ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish", "nl": "dutch", "en": "english",
	"fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian",
	"id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian",
	"nb": "norwegian", "nn": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
	"es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
