package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/search/domain"
)

// The full-text parts that differ between the dialects.
//
// SQLite: three FTS5 tables. search_fts (rowid = search_media.rid) holds an
// item's folded title, authors, tags, description and text, with the Porter
// stemmer over unicode61 (diacritics removed) — the only stemmer FTS5 has,
// English; bm25 weights the columns 10/5/5/2/1. search_pages_fts holds each
// page of text with its item's ID as a token (mid), for search inside.
// search_terms_trgm is a trigram index of known words, for misspellings.
//
// PostgreSQL: a tsvector column on search_media and search_pages, each
// field indexed twice, with the simple configuration and with the item's
// language's, weighted A title, B authors and tags, C description, D
// text; ts_rank orders. pg_trgm's similarity finds known words near a
// misspelt one. Text is folded (lower case, no diacritics) in Go before it
// reaches either store, so unaccent is not needed and both fold alike.

const sqliteAnalysis = `tokenize = 'porter unicode61 remove_diacritics 2'`

// ensureFTS creates the dialect's full-text objects (idempotent).
func (s *Store) ensureFTS(ctx context.Context) error {
	if !s.postgres() {
		for _, q := range []string{
			`CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, authors, tags, description, content, ` + sqliteAnalysis + `)`,
			`CREATE VIRTUAL TABLE IF NOT EXISTS search_pages_fts USING fts5(mid, body, ` + sqliteAnalysis + `)`,
			`CREATE VIRTUAL TABLE IF NOT EXISTS search_terms_trgm USING fts5(term, tokenize = 'trigram')`,
		} {
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("search full-text tables: %w", err)
			}
		}
		return nil
	}
	// CREATE EXTENSION is database-wide: replicas and test schemas starting
	// together take turns.
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7426130517)"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
		return err
	})
	if err != nil {
		return fmt.Errorf("search: the pg_trgm extension is needed (CREATE EXTENSION pg_trgm): %w", err)
	}
	if err := s.db.NewRaw(`SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
		WHERE e.extname = 'pg_trgm'`).Scan(ctx, &s.trgm); err != nil {
		return fmt.Errorf("search: pg_trgm: %w", err)
	}
	for _, q := range []string{
		`ALTER TABLE search_media ADD COLUMN IF NOT EXISTS tsv tsvector`,
		`CREATE INDEX IF NOT EXISTS search_media_tsv ON search_media USING gin (tsv)`,
		`ALTER TABLE search_pages ADD COLUMN IF NOT EXISTS tsv tsvector`,
		`CREATE INDEX IF NOT EXISTS search_pages_tsv ON search_pages USING gin (tsv)`,
		`CREATE INDEX IF NOT EXISTS search_terms_trgm ON search_terms USING gin (term ` + quoteIdent(s.trgm) + `.gin_trgm_ops)`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("search full-text columns: %w", err)
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// ftsDoc is an item's folded text, by field.
type ftsDoc struct {
	Title, Authors, Tags, Description, Content string
	// Config is the PostgreSQL text search configuration of its language.
	Config string
}

const pgVector = `setweight(to_tsvector('simple', ?) || to_tsvector(CAST(? AS regconfig), ?), ?)`

func (s *Store) ftsPut(ctx context.Context, rid int64, d ftsDoc) error {
	if !s.postgres() {
		if err := s.ftsDelete(ctx, rid); err != nil {
			return err
		}
		_, err := s.idb().NewRaw("INSERT INTO search_fts (rowid, title, authors, tags, description, content) VALUES (?, ?, ?, ?, ?, ?)",
			rid, d.Title, d.Authors, d.Tags, d.Description, d.Content).Exec(ctx)
		return err
	}
	var args []any
	for _, f := range []struct{ text, weight string }{{d.Title, "A"}, {d.Authors + " " + d.Tags, "B"}, {d.Description, "C"}, {d.Content, "D"}} {
		args = append(args, f.text, d.Config, f.text, f.weight)
	}
	args = append(args, rid)
	_, err := s.idb().NewRaw("UPDATE search_media SET tsv = "+pgVector+" || "+pgVector+" || "+pgVector+" || "+pgVector+" WHERE rid = ?", args...).Exec(ctx)
	return err
}

func (s *Store) ftsDelete(ctx context.Context, rid int64) error {
	if s.postgres() {
		return nil
	}
	_, err := s.idb().NewRaw("DELETE FROM search_fts WHERE rowid = ?", rid).Exec(ctx)
	return err
}

func midToken(mediaID string) string { return "m" + strings.ReplaceAll(mediaID, "-", "") }

func (s *Store) pagePut(ctx context.Context, rid int64, mediaID, folded string) error {
	if !s.postgres() {
		_, err := s.idb().NewRaw("INSERT INTO search_pages_fts (rowid, mid, body) VALUES (?, ?, ?)", rid, midToken(mediaID), folded).Exec(ctx)
		return err
	}
	_, err := s.idb().NewRaw(`UPDATE search_pages SET tsv = to_tsvector('simple', ?) || to_tsvector(CAST(? AS regconfig), ?) WHERE rid = ?`,
		folded, s.configOf(ctx, mediaID), folded, rid).Exec(ctx)
	return err
}

func (s *Store) configOf(ctx context.Context, mediaID string) string {
	var lang string
	_ = s.idb().NewRaw("SELECT language FROM search_media WHERE id = ?", mediaID).Scan(ctx, &lang)
	return domain.PGConfig(lang)
}

func (s *Store) pagesDelete(ctx context.Context, rids []int64) error {
	if s.postgres() || len(rids) == 0 {
		return nil
	}
	_, err := s.idb().NewRaw("DELETE FROM search_pages_fts WHERE rowid IN (?)", bun.List(rids)).Exec(ctx)
	return err
}

func (s *Store) termsAdded(ctx context.Context, rids []int64, terms []string) error {
	if s.postgres() || len(rids) == 0 {
		return nil
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?),", len(rids)), ",")
	args := make([]any, 0, 2*len(rids))
	for i := range rids {
		args = append(args, rids[i], terms[i])
	}
	_, err := s.idb().NewRaw("INSERT INTO search_terms_trgm (rowid, term) VALUES "+values, args...).Exec(ctx)
	return err
}

// match is a query rendered for the dialect: the tables to join, the
// condition and the relevance expression, with their arguments.
type match struct {
	from      string
	where     string
	whereArgs []any
	score     string
	scoreArgs []any
}

// matchOf renders q (which must have a positive clause). cfg is the
// PostgreSQL configuration stemming the query (the language filter's, or
// English).
func (s *Store) matchOf(q domain.Query, cfg string) match {
	if !s.postgres() {
		return match{
			// CROSS JOIN keeps SQLite's planner from walking search_media's
			// indexes and probing the full-text table row by row.
			from: "search_fts CROSS JOIN search_media m ON m.rid = search_fts.rowid", where: "search_fts MATCH ?",
			whereArgs: []any{fts5Query(q)}, score: "(-bm25(search_fts, 10.0, 5.0, 5.0, 2.0, 1.0))",
		}
	}
	tq := tsQuery(q)
	return match{
		from:      "search_media m",
		where:     "(m.tsv @@ to_tsquery('simple', ?) OR m.tsv @@ to_tsquery(CAST(? AS regconfig), ?))",
		whereArgs: []any{tq, cfg, tq},
		score:     "CAST(GREATEST(ts_rank(m.tsv, to_tsquery('simple', ?)), ts_rank(m.tsv, to_tsquery(CAST(? AS regconfig), ?))) AS float8)",
		scoreArgs: []any{tq, cfg, tq},
	}
}

// fts5Query renders q in FTS5's syntax. Words are letters and digits only
// (domain.ParseQuery), and each is quoted, so no user input is syntax.
func fts5Query(q domain.Query) string {
	term := func(t domain.Term) string {
		if t.Prefix {
			return `"` + t.Word + `"*`
		}
		if len(t.Alternatives) == 0 {
			return `"` + t.Word + `"`
		}
		alts := []string{`"` + t.Word + `"`}
		for _, a := range t.Alternatives {
			alts = append(alts, `"`+a+`"`)
		}
		return "(" + strings.Join(alts, " OR ") + ")"
	}
	clause := func(c domain.Clause) string {
		var any []string
		for _, p := range c.Any {
			if len(p) == 1 {
				any = append(any, term(p[0]))
				continue
			}
			words := make([]string, len(p))
			for i, t := range p {
				words[i] = t.Word
			}
			any = append(any, `"`+strings.Join(words, " ")+`"`)
		}
		if len(any) == 1 {
			return any[0]
		}
		return "(" + strings.Join(any, " OR ") + ")"
	}
	var pos, neg []string
	for _, c := range q.Clauses {
		if c.Negate {
			neg = append(neg, clause(c))
		} else {
			pos = append(pos, clause(c))
		}
	}
	out := "(" + strings.Join(pos, " AND ") + ")"
	if len(neg) > 0 {
		out += " NOT (" + strings.Join(neg, " OR ") + ")"
	}
	return out
}

// tsQuery renders q for to_tsquery. Words are letters and digits only and
// quoted as lexemes.
func tsQuery(q domain.Query) string {
	lex := func(w string) string { return "'" + w + "'" }
	term := func(t domain.Term) string {
		if t.Prefix {
			return lex(t.Word) + ":*"
		}
		if len(t.Alternatives) == 0 {
			return lex(t.Word)
		}
		alts := []string{lex(t.Word)}
		for _, a := range t.Alternatives {
			alts = append(alts, lex(a))
		}
		return "(" + strings.Join(alts, " | ") + ")"
	}
	clause := func(c domain.Clause) string {
		var any []string
		for _, p := range c.Any {
			if len(p) == 1 {
				any = append(any, term(p[0]))
				continue
			}
			words := make([]string, len(p))
			for i, t := range p {
				words[i] = lex(t.Word)
			}
			any = append(any, "("+strings.Join(words, " <-> ")+")")
		}
		if len(any) == 1 {
			return any[0]
		}
		return "(" + strings.Join(any, " | ") + ")"
	}
	var parts []string
	for _, c := range q.Clauses {
		if c.Negate {
			parts = append(parts, "!"+clause(c))
		} else {
			parts = append(parts, clause(c))
		}
	}
	return strings.Join(parts, " & ")
}

// pagesMatch renders the condition finding an item's pages that match q.
func (s *Store) pagesMatch(mediaID string, q domain.Query, cfg string) (string, []any) {
	if !s.postgres() {
		return `p.rid IN (SELECT rowid FROM search_pages_fts WHERE search_pages_fts MATCH ?)`,
			[]any{`mid : "` + midToken(mediaID) + `" AND body : (` + fts5Query(q) + `)`}
	}
	tq := tsQuery(q)
	return "p.media_id = ? AND (p.tsv @@ to_tsquery('simple', ?) OR p.tsv @@ to_tsquery(CAST(? AS regconfig), ?))",
		[]any{mediaID, tq, cfg, tq}
}

// nearTerms returns known words sharing trigrams with word, best first.
func (s *Store) nearTerms(ctx context.Context, word string, limit int) ([]string, error) {
	var out []string
	var err error
	if !s.postgres() {
		grams := domain.Trigrams(word)
		if len(grams) == 0 {
			return nil, nil
		}
		for i, g := range grams {
			grams[i] = `"` + g + `"`
		}
		err = s.idb().NewRaw("SELECT term FROM search_terms_trgm WHERE search_terms_trgm MATCH ? ORDER BY rank LIMIT ?",
			strings.Join(grams, " OR "), limit).Scan(ctx, &out)
	} else {
		sch := quoteIdent(s.trgm)
		err = s.idb().NewRaw("SELECT term FROM search_terms WHERE term OPERATOR("+sch+".%) ? ORDER BY "+sch+".similarity(term, ?) DESC LIMIT ?",
			word, word, limit).Scan(ctx, &out)
	}
	if err != nil && !isNoRows(err) {
		return nil, err
	}
	return out, nil
}
