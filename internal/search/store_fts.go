package search

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/search/domain"
)

// The full-text parts that differ between the dialects.
//
// SQLite: three FTS5 tables. search_fts (rowid = search_media.rid) holds an
// item's folded title, authors, tags, description and text, each word
// replaced by its Snowball stem for the item's language (domain.StemText;
// FTS5's own stemmer is English Porter only), over unicode61; bm25 weights
// the columns 10/5/5/2/1. A query word matches any of its stems for the
// languages searched (domain.Stems). search_pages_fts holds each page of
// text, stemmed alike, with its item's ID as a token (mid), for search
// inside. search_terms_trgm is a trigram index of known words, for
// misspellings.
//
// PostgreSQL: a tsvector column on search_media and search_pages, each
// field indexed twice, with the simple configuration and with the item's
// language's, weighted A title, B authors and tags, C description, D
// text; ts_rank orders. A query is the OR of its tsquery in simple and in
// the configuration of each language searched. pg_trgm's similarity finds
// known words near a misspelt one. Text is folded (lower case, no
// diacritics) in Go before it reaches either store, so unaccent is not
// needed and both fold alike.

const sqliteAnalysis = `tokenize = 'unicode61 remove_diacritics 2'`

// ensureFTS creates the dialect's full-text objects (idempotent).
func (s *Store) ensureFTS(ctx context.Context) error {
	if !s.postgres() {
		// Indexes made before stemming moved into Go used FTS5's porter
		// tokenizer: they are made again from the rows.
		var old string
		_ = s.db.NewRaw("SELECT sql FROM sqlite_master WHERE name = 'search_fts'").Scan(ctx, &old)
		rebuild := strings.Contains(old, "porter")
		if rebuild {
			for _, q := range []string{"DROP TABLE search_fts", "DROP TABLE IF EXISTS search_pages_fts"} {
				if _, err := s.db.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("search full-text tables: %w", err)
				}
			}
		}
		for _, q := range []string{
			`CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, authors, tags, description, content, ` + sqliteAnalysis + `)`,
			`CREATE VIRTUAL TABLE IF NOT EXISTS search_pages_fts USING fts5(mid, body, ` + sqliteAnalysis + `)`,
			`CREATE VIRTUAL TABLE IF NOT EXISTS search_terms_trgm USING fts5(term, tokenize = 'trigram')`,
		} {
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("search full-text tables: %w", err)
			}
		}
		if err := s.ensureTitleWords(ctx, `CREATE TABLE search_title_words (word TEXT NOT NULL, rid INTEGER NOT NULL,
			PRIMARY KEY (word, rid)) WITHOUT ROWID`); err != nil {
			return err
		}
		if err := s.ensureIndexes(ctx); err != nil {
			return err
		}
		if rebuild {
			return s.rebuildFTS(ctx)
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
		`ALTER TABLE search_pages ADD COLUMN IF NOT EXISTS tsv tsvector`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("search full-text columns: %w", err)
		}
	}
	// Byte order (COLLATE "C"): a prefix is a range of the primary key
	// whatever the database's collation.
	if err := s.ensureTitleWords(ctx, `CREATE TABLE search_title_words (word TEXT COLLATE "C" NOT NULL, rid BIGINT NOT NULL,
		PRIMARY KEY (word, rid))`); err != nil {
		return err
	}
	return s.ensureIndexes(ctx)
}

// ensureTitleWords creates the table of title words (Suggest's prefix
// index: each distinct word of an item's folded title with the item's
// rid) and, when it is new, fills it from the indexed items.
func (s *Store) ensureTitleWords(ctx context.Context, create string) error {
	var n int
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'search_title_words'"
	if s.postgres() {
		q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'search_title_words'"
	}
	if err := s.db.NewRaw(q).Scan(ctx, &n); err != nil {
		return fmt.Errorf("search title words: %w", err)
	}
	if n > 0 {
		return nil
	}
	return s.InTx(ctx, func(ctx context.Context, st *Store) error {
		if _, err := st.idb().ExecContext(ctx, create); err != nil {
			return fmt.Errorf("search title words: %w", err)
		}
		if _, err := st.idb().ExecContext(ctx, "CREATE INDEX IF NOT EXISTS search_title_words_rid ON search_title_words (rid)"); err != nil {
			return fmt.Errorf("search title words: %w", err)
		}
		var rows []struct {
			RID   int64  `bun:"rid"`
			Title string `bun:"title_norm"`
		}
		if err := st.idb().NewRaw("SELECT rid, title_norm FROM search_media").Scan(ctx, &rows); err != nil && !isNoRows(err) {
			return err
		}
		var words [][]any
		for _, r := range rows {
			for _, w := range titleWordsOf(r.Title) {
				words = append(words, []any{w, r.RID})
			}
		}
		return st.insertRows(ctx, "INSERT INTO search_title_words (word, rid) VALUES ", "(?, ?)", "", words, bulkLinkRows, nil)
	})
}

// titleWordsOf are the distinct words of a folded title Suggest finds it by.
func titleWordsOf(titleNorm string) []string {
	var out []string
	for _, w := range strings.Fields(titleNorm) {
		if len(w) <= 64 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// putTitleWords replaces an item's title words.
func (s *Store) putTitleWords(ctx context.Context, rid int64, titleNorm string) error {
	if _, err := s.idb().NewRaw("DELETE FROM search_title_words WHERE rid = ?", rid).Exec(ctx); err != nil {
		return err
	}
	var rows [][]any
	for _, w := range titleWordsOf(titleNorm) {
		rows = append(rows, []any{w, rid})
	}
	return s.insertRows(ctx, "INSERT INTO search_title_words (word, rid) VALUES ", "(?, ?)", "", rows, bulkLinkRows, nil)
}

// prefixRange is the half-open range of words starting with prefix, in
// byte order (the title words' order on both dialects).
func prefixRange(prefix string) (lo, hi string) { return prefix, prefix + "\U0010FFFF" }

// ensureIndexes creates any index a bulk load that stopped half-way left
// dropped (see Loader).
func (s *Store) ensureIndexes(ctx context.Context) error {
	for _, ix := range s.loadIndexes() {
		if _, err := s.db.ExecContext(ctx, ix.create); err != nil {
			return fmt.Errorf("search index %s: %w", ix.name, err)
		}
	}
	return nil
}

// ftsIndexes are the dialect's full-text and trigram indexes (loadIndexes).
func (s *Store) ftsIndexes() []loadIndex {
	if !s.postgres() {
		return nil
	}
	return []loadIndex{
		{"search_media_tsv", `CREATE INDEX IF NOT EXISTS search_media_tsv ON search_media USING gin (tsv)`},
		{"search_pages_tsv", `CREATE INDEX IF NOT EXISTS search_pages_tsv ON search_pages USING gin (tsv)`},
		{"search_terms_trgm", `CREATE INDEX IF NOT EXISTS search_terms_trgm ON search_terms USING gin (term ` + quoteIdent(s.trgm) + `.gin_trgm_ops)`},
	}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// rebuildFTS fills SQLite's full-text tables again from the rows.
func (s *Store) rebuildFTS(ctx context.Context) error {
	return s.InTx(ctx, func(ctx context.Context, st *Store) error {
		var ids []string
		if err := st.idb().NewRaw("SELECT CAST(id AS TEXT) FROM search_media").Scan(ctx, &ids); err != nil && !isNoRows(err) {
			return err
		}
		for _, id := range ids {
			if _, err := st.refresh(ctx, id); err != nil {
				return err
			}
			var pages []struct {
				RID  int64  `bun:"rid"`
				Body string `bun:"body"`
			}
			if err := st.idb().NewRaw("SELECT rid, body FROM search_pages WHERE media_id = ?", id).Scan(ctx, &pages); err != nil && !isNoRows(err) {
				return err
			}
			lang := st.languageOf(ctx, id)
			for _, p := range pages {
				if err := st.pagePut(ctx, p.RID, id, lang, domain.FoldText(p.Body)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// ftsDoc is an item's folded text, by field.
type ftsDoc struct {
	Title, Authors, Tags, Description, Content string
	// Language is the item's BCP 47 tag: its words are stemmed for it.
	Language string
}

const pgVector = `setweight(to_tsvector('simple', ?) || to_tsvector(CAST(? AS regconfig), ?), ?)`

func (s *Store) ftsPut(ctx context.Context, rid int64, d ftsDoc) error {
	if !s.postgres() {
		if err := s.ftsDelete(ctx, rid); err != nil {
			return err
		}
		l := d.Language
		if _, err := s.idb().NewRaw("INSERT INTO search_fts (rowid, title, authors, tags, description, content) VALUES (?, ?, ?, ?, ?, ?)",
			rid, domain.StemText(d.Title, l), domain.StemText(d.Authors, l), domain.StemText(d.Tags, l),
			domain.StemText(d.Description, l), domain.StemText(d.Content, l)).Exec(ctx); err != nil {
			return err
		}
		return s.putTitleWords(ctx, rid, d.Title)
	}
	if _, err := s.idb().NewRaw("UPDATE search_media SET tsv = "+pgDocVector+" WHERE rid = ?", append(pgVectorArgs(d), rid)...).Exec(ctx); err != nil {
		return err
	}
	return s.putTitleWords(ctx, rid, d.Title)
}

// pgDocVector is an item's tsvector from pgVectorArgs: each field in the
// simple configuration and in the item's language's, weighted.
const pgDocVector = pgVector + " || " + pgVector + " || " + pgVector + " || " + pgVector

func pgVectorArgs(d ftsDoc) []any {
	cfg := domain.PGConfig(d.Language)
	var args []any
	for _, f := range []struct{ text, weight string }{{d.Title, "A"}, {d.Authors + " " + d.Tags, "B"}, {d.Description, "C"}, {d.Content, "D"}} {
		args = append(args, f.text, cfg, f.text, f.weight)
	}
	return args
}

func (s *Store) ftsDelete(ctx context.Context, rid int64) error {
	if _, err := s.idb().NewRaw("DELETE FROM search_title_words WHERE rid = ?", rid).Exec(ctx); err != nil {
		return err
	}
	if s.postgres() {
		return nil
	}
	_, err := s.idb().NewRaw("DELETE FROM search_fts WHERE rowid = ?", rid).Exec(ctx)
	return err
}

func midToken(mediaID string) string { return "m" + strings.ReplaceAll(mediaID, "-", "") }

// pagePut indexes one page of an item's text (folded), in lang.
func (s *Store) pagePut(ctx context.Context, rid int64, mediaID, lang, folded string) error {
	if !s.postgres() {
		_, err := s.idb().NewRaw("INSERT INTO search_pages_fts (rowid, mid, body) VALUES (?, ?, ?)",
			rid, midToken(mediaID), domain.StemText(folded, lang)).Exec(ctx)
		return err
	}
	_, err := s.idb().NewRaw(`UPDATE search_pages SET tsv = to_tsvector('simple', ?) || to_tsvector(CAST(? AS regconfig), ?) WHERE rid = ?`,
		folded, domain.PGConfig(lang), folded, rid).Exec(ctx)
	return err
}

func (s *Store) languageOf(ctx context.Context, mediaID string) string {
	var lang string
	_ = s.idb().NewRaw("SELECT language FROM search_media WHERE id = ?", mediaID).Scan(ctx, &lang)
	return lang
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

// matchOf renders q (which must have a positive clause), its words
// stemmed for each of langs.
func (s *Store) matchOf(q domain.Query, langs []string) match {
	if !s.postgres() {
		return match{
			// CROSS JOIN keeps SQLite's planner from walking search_media's
			// indexes and probing the full-text table row by row.
			from: "search_fts CROSS JOIN search_media m ON m.rid = search_fts.rowid", where: "search_fts MATCH ?",
			whereArgs: []any{fts5Query(q, langs)}, score: "(-bm25(search_fts, 10.0, 5.0, 5.0, 2.0, 1.0))",
		}
	}
	tq, args := pgTSQuery(q, langs)
	return match{
		from:      "search_media m",
		where:     "m.tsv @@ " + tq,
		whereArgs: args,
		score:     "CAST(ts_rank(m.tsv, " + tq + ") AS float8)",
		scoreArgs: args,
	}
}

// pgConfigs are the text search configurations a query is stemmed with:
// simple (the words as written) and each language's, deduplicated.
func pgConfigs(langs []string) []string {
	out := []string{"simple"}
	for _, l := range langs {
		if c := domain.PGConfig(l); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// pgTSQuery is q as one tsquery expression: the OR of its to_tsquery in
// every configuration of langs (one index scan matches any).
func pgTSQuery(q domain.Query, langs []string) (string, []any) {
	tq := tsQuery(q)
	var parts []string
	var args []any
	for _, c := range pgConfigs(langs) {
		parts = append(parts, "to_tsquery(CAST(? AS regconfig), ?)")
		args = append(args, c, tq)
	}
	return "(" + strings.Join(parts, " || ") + ")", args
}

// fts5Query renders q in FTS5's syntax, each word as any of its stems for
// langs (the index holds stems). Words are letters and digits only
// (domain.ParseQuery), and each is quoted, so no user input is syntax.
func fts5Query(q domain.Query, langs []string) string {
	term := func(t domain.Term) string {
		if t.Prefix {
			return `"` + t.Word + `"*`
		}
		var forms []string
		for _, w := range append([]string{t.Word}, t.Alternatives...) {
			for _, f := range domain.Stems(w, langs) {
				if !slices.Contains(forms, f) {
					forms = append(forms, f)
				}
			}
		}
		if len(forms) == 1 {
			return `"` + forms[0] + `"`
		}
		return `("` + strings.Join(forms, `" OR "`) + `")`
	}
	clause := func(c domain.Clause) string {
		var any []string
		for _, p := range c.Any {
			if len(p) == 1 {
				any = append(any, term(p[0]))
				continue
			}
			// A phrase: its words as written, or all stemmed in one
			// language.
			var forms []string
			for _, l := range append([]string{""}, langs...) {
				words := make([]string, len(p))
				for i, t := range p {
					words[i] = domain.Stem(t.Word, l)
				}
				if f := `"` + strings.Join(words, " ") + `"`; !slices.Contains(forms, f) {
					forms = append(forms, f)
				}
			}
			any = append(any, forms...)
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

// pagesMatch renders the condition finding an item's pages that match q,
// its words stemmed for the item's language.
func (s *Store) pagesMatch(mediaID string, q domain.Query, lang string) (string, []any) {
	langs := []string{lang}
	if !s.postgres() {
		return `p.rid IN (SELECT rowid FROM search_pages_fts WHERE search_pages_fts MATCH ?)`,
			[]any{`mid : "` + midToken(mediaID) + `" AND body : (` + fts5Query(q, langs) + `)`}
	}
	tq, args := pgTSQuery(q, langs)
	return "p.media_id = ? AND p.tsv @@ " + tq, append([]any{mediaID}, args...)
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
