package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/search/domain"
)

// LoadItem is a published item given to Load (benchmarks and tools that
// fill an index without events).
type LoadItem struct {
	ID, Title, Description, Kind, Language, License string
	AuthorIDs, CategoryIDs, Tags                    []string
	PublishedAt                                     time.Time
	Duration                                        *float64
	PageCount                                       *int
	// Pages is extracted text, one entry per PDF page.
	Pages []string
}

// LoadAuthor is an active author given to Load.
type LoadAuthor struct{ ID, Name string }

// Load indexes published items (and their authors) in one transaction,
// giving the index what the consumers and the text fetcher would. Items
// not indexed yet are written in bulk (see Loader; on PostgreSQL with COPY
// when the store is not already bound to a transaction). An item already
// indexed takes the consumers' one-at-a-time path (PutMedia, PutText),
// which keeps the newer version.
func (s *Store) Load(ctx context.Context, authors []LoadAuthor, items []LoadItem) error {
	if s.tx != nil {
		if err := s.load(ctx, authors, items, nil); err != nil {
			return err
		}
		return s.touch(ctx)
	}
	l, err := s.newLoader(ctx, false)
	if err != nil {
		return err
	}
	if err := l.Load(ctx, authors, items); err != nil {
		return errors.Join(err, l.Close(ctx))
	}
	return l.Close(ctx)
}

// load is Load's work in st's transaction, l (if any) giving COPY and the
// words already recorded.
func (s *Store) load(ctx context.Context, authors []LoadAuthor, items []LoadItem, l *Loader) error {
	for _, a := range authors {
		if err := s.PutAuthor(ctx, AuthorRecord{ID: a.ID, Name: a.Name, Status: "active", Version: 1}); err != nil {
			return err
		}
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	var known []string
	if len(ids) > 0 {
		if err := s.idb().NewRaw("SELECT CAST(id AS TEXT) FROM search_media WHERE id IN (?)", bun.List(ids)).Scan(ctx, &known); err != nil &&
			!isNoRows(err) {
			return err
		}
	}
	seen := map[string]bool{}
	for _, id := range known {
		seen[strings.ToLower(id)] = true
	}
	var fresh, again []LoadItem
	for _, it := range items {
		if seen[strings.ToLower(it.ID)] {
			again = append(again, it)
			continue
		}
		seen[strings.ToLower(it.ID)] = true
		fresh = append(fresh, it)
	}
	if err := s.bulkLoad(ctx, fresh, l); err != nil {
		return err
	}
	for _, it := range again {
		if err := s.loadOne(ctx, it); err != nil {
			return err
		}
	}
	return nil
}

// Loader fills the index in bulk: the benchmark, and tools that index many
// items without events. Items not indexed yet are written with multi-row
// statements (PostgreSQL: COPY into a staging table, the tsvector computed
// by one INSERT … SELECT), their visibility and authors' names worked out
// once per batch, each full-text entry written once, words the loader
// already recorded skipped. Batches share a transaction, committed every
// loaderCommitItems items and at Close, each commit bumping the generation
// once.
//
// Into an empty index (NewLoader) the secondary and full-text indexes are
// dropped first and built once by Close (PostgreSQL: the GIN and trigram
// indexes and the B-trees; SQLite: the B-trees, and FTS5's segments merged
// by 'optimize'): building an index once is cheaper than maintaining it row
// by row. Readers meanwhile answer, slowly; a load that stops half-way
// leaves the indexes to the next start of the service (ensureFTS creates
// any that is missing). The live consumers keep their one-at-a-time path
// (a contract test checks both write the same rows).
type Loader struct {
	s       *Store
	conn    bun.Conn
	tx      *bun.Tx
	st      *Store // bound to tx
	bulk    bool   // indexes dropped: Close builds them
	pending int    // items written since the last commit
	terms   map[string]bool
	staged  bool // PostgreSQL: the staging tables exist in the session
	stems   map[[2]string]string
}

// loaderCommitItems is how many items a Loader writes per transaction.
const loaderCommitItems = 20000

// maxLoaderTerms bounds the words a Loader remembers having recorded.
const maxLoaderTerms = 1 << 20

// NewLoader starts a bulk load (see Loader); Close must follow.
func (s *Store) NewLoader(ctx context.Context) (*Loader, error) { return s.newLoader(ctx, true) }

// newLoader opens the loader's connection; with bulk, an empty index's
// indexes are dropped until Close.
func (s *Store) newLoader(ctx context.Context, bulk bool) (*Loader, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	l := &Loader{s: s, conn: conn, terms: map[string]bool{}}
	if !bulk {
		return l, nil
	}
	var some []int
	if err := conn.NewRaw("SELECT 1 FROM search_media LIMIT 1").Scan(ctx, &some); err != nil && !isNoRows(err) {
		return nil, errors.Join(err, conn.Close())
	}
	if !s.postgres() {
		// A larger page cache for the index's B-trees (random UUID keys).
		if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -262144"); err != nil {
			return nil, errors.Join(err, conn.Close())
		}
	}
	if len(some) > 0 {
		return l, nil
	}
	l.bulk = true
	for _, ix := range s.loadIndexes() {
		if _, err := conn.ExecContext(ctx, "DROP INDEX IF EXISTS "+ix.name); err != nil {
			return nil, errors.Join(err, conn.Close())
		}
	}
	return l, nil
}

// Load indexes a batch of items and their authors (as Store.Load does).
func (l *Loader) Load(ctx context.Context, authors []LoadAuthor, items []LoadItem) error {
	if l.tx == nil {
		tx, err := l.conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		l.tx, l.st = &tx, l.s.bound(tx)
	}
	if err := l.st.load(ctx, authors, items, l); err != nil {
		err = errors.Join(err, l.tx.Rollback())
		// What the transaction wrote is gone: the words it recorded, the
		// staging tables it created.
		l.tx, l.st, l.pending, l.terms, l.staged = nil, nil, 0, map[string]bool{}, false
		return err
	}
	l.pending += len(items)
	if l.pending >= loaderCommitItems {
		return l.commit(ctx)
	}
	return nil
}

func (l *Loader) commit(ctx context.Context) error {
	if l.tx == nil {
		return nil
	}
	tx := l.tx
	l.tx, l.st, l.pending = nil, nil, 0
	if err := l.s.bound(*tx).touch(ctx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// Close commits what is pending and, after a bulk load, builds the
// indexes; the loader is done with.
func (l *Loader) Close(ctx context.Context) error {
	err := l.commit(ctx)
	if err == nil && l.bulk {
		err = l.buildIndexes(ctx)
	}
	if !l.s.postgres() {
		_, e := l.conn.ExecContext(ctx, "PRAGMA cache_size = -2000")
		err = errors.Join(err, e)
	}
	return errors.Join(err, l.conn.Close())
}

// buildIndexes makes the indexes a bulk load dropped and merges SQLite's
// full-text segments.
func (l *Loader) buildIndexes(ctx context.Context) error {
	if l.s.postgres() {
		if _, err := l.conn.ExecContext(ctx, "SET maintenance_work_mem = '256MB'"); err != nil {
			return err
		}
		defer func() { _, _ = l.conn.ExecContext(context.WithoutCancel(ctx), "RESET maintenance_work_mem") }()
	}
	for _, ix := range l.s.loadIndexes() {
		if _, err := l.conn.ExecContext(ctx, ix.create); err != nil {
			return fmt.Errorf("build index %s: %w", ix.name, err)
		}
	}
	if l.s.postgres() {
		_, err := l.conn.ExecContext(ctx, "ANALYZE search_media, search_pages, search_terms, search_media_authors, search_media_categories, search_media_tags")
		return err
	}
	for _, t := range []string{"search_fts", "search_pages_fts", "search_terms_trgm"} {
		if _, err := l.conn.ExecContext(ctx, "INSERT INTO "+t+"("+t+") VALUES ('optimize')"); err != nil {
			return fmt.Errorf("optimize %s: %w", t, err)
		}
	}
	_, err := l.conn.ExecContext(ctx, "ANALYZE")
	return err
}

// loadIndex is an index a bulk load builds after its rows.
type loadIndex struct{ name, create string }

// loadIndexes are the indexes a bulk load drops and builds again: the
// migrations' B-trees (the same definitions) and, on PostgreSQL, the
// full-text and trigram indexes. ensureFTS creates any that is missing.
func (s *Store) loadIndexes() []loadIndex {
	out := []loadIndex{
		{"search_media_visible_sort", "CREATE INDEX IF NOT EXISTS search_media_visible_sort ON search_media (visible, sort_time, id)"},
		{"search_media_visible_pop", "CREATE INDEX IF NOT EXISTS search_media_visible_pop ON search_media (visible, popularity, id)"},
		{"search_media_facets", "CREATE INDEX IF NOT EXISTS search_media_facets ON search_media (visible, kind, language, license, id)"},
		{"search_media_authors_author", "CREATE INDEX IF NOT EXISTS search_media_authors_author ON search_media_authors (author_id)"},
		{"search_media_categories_category", "CREATE INDEX IF NOT EXISTS search_media_categories_category ON search_media_categories (category_id)"},
		{"search_media_tags_tag", "CREATE INDEX IF NOT EXISTS search_media_tags_tag ON search_media_tags (tag)"},
		{"search_title_words_rid", "CREATE INDEX IF NOT EXISTS search_title_words_rid ON search_title_words (rid)"},
	}
	out = append(out, s.ftsIndexes()...)
	return out
}

// loadRecord is the item as the consumers would record it.
func loadRecord(it LoadItem) (MediaRecord, error) {
	pub := it.PublishedAt.UTC()
	view := searchMediaJSON{ID: it.ID, Title: it.Title, Description: it.Description, Kind: it.Kind, Language: it.Language,
		AuthorIDs: orEmpty(it.AuthorIDs), CategoryIDs: orEmpty(it.CategoryIDs), Tags: orEmpty(it.Tags), License: it.License,
		PublishedAt: &pub, Status: "published", CreatedAt: pub, UpdatedAt: pub, Version: 1}
	rec := MediaRecord{ID: it.ID, Title: it.Title, Description: it.Description, Kind: it.Kind, Language: it.Language,
		License: it.License, Status: "published", AuthorIDs: it.AuthorIDs, CategoryIDs: it.CategoryIDs, Tags: it.Tags,
		PublishedAt: &pub, CreatedAt: pub, Duration: it.Duration, Pages: it.PageCount, Version: 1}
	if len(it.Pages) > 0 {
		view.Content = &searchContentJSON{ContentType: "application/pdf", SHA256: "load", Pages: it.PageCount}
		view.Derivatives = []searchDerivativeJSON{{Kind: "text", Name: "text.txt"}}
		rec.TextName, rec.TextObject = "text.txt", "text.txt@load"
	}
	doc, err := json.Marshal(view)
	rec.Doc = doc
	return rec, err
}

// loadOne indexes one item as the consumers and the text fetcher do.
func (s *Store) loadOne(ctx context.Context, it LoadItem) error {
	rec, err := loadRecord(it)
	if err != nil {
		return err
	}
	if _, err := s.PutMedia(ctx, rec, *rec.PublishedAt); err != nil {
		return err
	}
	if len(it.Pages) > 0 {
		pages := make([]Page, len(it.Pages))
		for i, p := range it.Pages {
			pages[i] = Page{N: i + 1, Body: p}
		}
		if _, err := s.PutText(ctx, TextJob{MediaID: it.ID, Name: rec.TextName, Source: rec.TextObject}, pages); err != nil {
			return err
		}
	}
	return nil
}

// Rows per multi-row statement.
const (
	bulkMediaRows = 100
	bulkLinkRows  = 500
	bulkPageRows  = 100
)

// bulkLoad indexes items none of which is indexed yet (see Loader); l is
// nil in a transaction the caller opened (no COPY, no remembered words).
func (s *Store) bulkLoad(ctx context.Context, items []LoadItem, l *Loader) error {
	if len(items) == 0 {
		return nil
	}
	// The credited authors known to the index: their names and whether
	// they hide the items (refresh's rules).
	var authorIDs []string
	for _, it := range items {
		authorIDs = append(authorIDs, it.AuthorIDs...)
	}
	type author struct {
		ID     string `bun:"id"`
		Name   string `bun:"name"`
		Status string `bun:"status"`
	}
	authors := map[string]author{}
	if len(authorIDs) > 0 {
		slices.Sort(authorIDs)
		var rows []author
		if err := s.idb().NewRaw("SELECT CAST(id AS TEXT) AS id, name, status FROM search_authors WHERE id IN (?)",
			bun.List(slices.Compact(authorIDs))).Scan(ctx, &rows); err != nil && !isNoRows(err) {
			return err
		}
		for _, a := range rows {
			authors[strings.ToLower(a.ID)] = a
		}
	}

	copying := l != nil && s.postgres()
	key := func(id string) any {
		if copying {
			return uuid.MustParse(id)
		}
		return id
	}
	var media, authorLinks, categoryLinks, tagLinks, langs [][]any
	docs := make([]ftsDoc, len(items))
	var words []string
	langSeen := map[string]bool{}
	for i, it := range items {
		rec, err := loadRecord(it)
		if err != nil {
			return err
		}
		visible := true
		var names []string
		for _, id := range uniq(it.AuthorIDs) {
			if a, ok := authors[strings.ToLower(id)]; ok {
				names = append(names, a.Name)
				visible = visible && a.Status == "active"
			}
		}
		tags := uniq(it.Tags)
		sortedTags := slices.Sorted(slices.Values(tags))
		content, folded := foldPages(it.Pages)
		textIndexed := ""
		if len(it.Pages) > 0 {
			textIndexed = rec.TextObject
		}
		authorsText := strings.Join(names, ", ")
		docs[i] = ftsDoc{Title: domain.FoldText(it.Title), Authors: domain.FoldText(authorsText), Tags: domain.FoldText(strings.Join(sortedTags, " ")),
			Description: domain.FoldText(it.Description), Content: content, Language: it.Language}
		row := []any{rec.ID, rec.Title, rec.Description, rec.Kind, rec.Language, rec.License, rec.Status, visible,
			rec.PublishedAt, rec.sortTime(), rec.Duration, rec.Pages, rec.Version, string(rec.Doc), domain.FoldText(rec.Title),
			authorsText, rec.TextObject, textIndexed, rec.PublishedAt}
		if copying {
			row[0], row[13] = uuid.MustParse(rec.ID), json.RawMessage(rec.Doc)
			d := docs[i]
			row = append(row, domain.PGConfig(d.Language), d.Title, d.Authors+" "+d.Tags, d.Description, d.Content)
		} else if s.postgres() {
			row = append(row, pgVectorArgs(docs[i])...)
		}
		media = append(media, row)
		for pos, a := range it.AuthorIDs {
			if !slices.Contains(it.AuthorIDs[:pos], a) {
				authorLinks = append(authorLinks, []any{key(it.ID), key(a), pos})
			}
		}
		for _, c := range uniq(it.CategoryIDs) {
			categoryLinks = append(categoryLinks, []any{key(it.ID), key(c)})
		}
		for _, t := range tags {
			tagLinks = append(tagLinks, []any{key(it.ID), t})
		}
		if it.Language != "" && !langSeen[it.Language] {
			langSeen[it.Language] = true
			langs = append(langs, []any{it.Language})
		}
		words = append(words, domain.Words(domain.Fold(it.Title+" "+it.Description+" "+strings.Join(it.Tags, " ")))...)
		words = append(words, domain.Words(folded)...)
	}

	ridOf := make(map[string]int64, len(items))
	if copying {
		if err := l.copyMedia(ctx, media, ridOf); err != nil {
			return err
		}
		for _, c := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"search_media_authors", []string{"media_id", "author_id", "position"}, authorLinks},
			{"search_media_categories", []string{"media_id", "category_id"}, categoryLinks},
			{"search_media_tags", []string{"media_id", "tag"}, tagLinks},
		} {
			if err := l.copyFrom(ctx, c.table, c.cols, c.rows); err != nil {
				return err
			}
		}
		authorLinks, categoryLinks, tagLinks = nil, nil, nil
	} else {
		cols := "(id, title, description, kind, language, license, status, visible, published_at, sort_time, duration, pages, " +
			"version, doc, title_norm, authors_text, text_object, text_indexed, event_time"
		tuple := "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		if s.postgres() {
			cols += ", tsv"
			tuple = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " + pgDocVector + ")"
		}
		if err := s.insertRows(ctx, "INSERT INTO search_media "+cols+") VALUES ", tuple, " RETURNING rid, CAST(id AS TEXT) AS id",
			media, bulkMediaRows, func(q *bun.RawQuery) error {
				var rids []struct {
					RID int64  `bun:"rid"`
					ID  string `bun:"id"`
				}
				err := q.Scan(ctx, &rids)
				for _, r := range rids {
					ridOf[strings.ToLower(r.ID)] = r.RID
				}
				return err
			}); err != nil {
			return err
		}
	}
	var titleWords [][]any
	for i, it := range items {
		rid := ridOf[strings.ToLower(it.ID)]
		for _, w := range titleWordsOf(docs[i].Title) {
			titleWords = append(titleWords, []any{w, rid})
		}
	}
	if copying {
		if err := l.copyFrom(ctx, "search_title_words", []string{"word", "rid"}, titleWords); err != nil {
			return err
		}
		titleWords = nil
	}
	for _, l := range []struct {
		head, tuple string
		rows        [][]any
	}{
		{"INSERT INTO search_title_words (word, rid) VALUES ", "(?, ?)", titleWords},
		{"INSERT INTO search_media_authors (media_id, author_id, position) VALUES ", "(?, ?, ?)", authorLinks},
		{"INSERT INTO search_media_categories (media_id, category_id) VALUES ", "(?, ?)", categoryLinks},
		{"INSERT INTO search_media_tags (media_id, tag) VALUES ", "(?, ?)", tagLinks},
		{"INSERT INTO search_languages (language) VALUES ", "(?)", langs},
	} {
		if err := s.insertRows(ctx, l.head, l.tuple, " ON CONFLICT DO NOTHING", l.rows, bulkLinkRows, nil); err != nil {
			return err
		}
	}
	// Engagement counted before the items were indexed.
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	if _, err := s.idb().NewRaw(`UPDATE search_media SET popularity = (SELECT e.views + `+likeWeight+` * e.likes
		FROM search_engagement e WHERE e.media_id = search_media.id) WHERE id IN (?)
		AND EXISTS (SELECT 1 FROM search_engagement e WHERE e.media_id = search_media.id)`, bun.List(ids)).Exec(ctx); err != nil {
		return err
	}
	if !s.postgres() {
		var fts [][]any
		l2 := l
		for i, it := range items {
			d, l := docs[i], it.Language
			fts = append(fts, []any{ridOf[strings.ToLower(it.ID)], l2.stemText(d.Title, l), l2.stemText(d.Authors, l),
				l2.stemText(d.Tags, l), l2.stemText(d.Description, l), l2.stemText(d.Content, l)})
		}
		if err := s.insertRows(ctx, "INSERT INTO search_fts (rowid, title, authors, tags, description, content) VALUES ",
			"(?, ?, ?, ?, ?, ?)", "", fts, bulkMediaRows, nil); err != nil {
			return err
		}
	}
	if err := s.bulkPages(ctx, items, l); err != nil {
		return err
	}
	if l != nil {
		words = l.unrecorded(words)
	}
	return s.addTerms(ctx, words)
}

// stemText is domain.StemText, each (language, word) stemmed once per
// loader (Snowball's stemmers cost microseconds a word; a catalogue's
// words repeat). Without a loader it is domain.StemText.
func (l *Loader) stemText(folded, lang string) string {
	if l == nil || folded == "" || !domain.HasStemmer(lang) {
		return domain.StemText(folded, lang)
	}
	if l.stems == nil || len(l.stems) >= maxLoaderTerms {
		l.stems = map[[2]string]string{}
	}
	ws := strings.Fields(folded)
	for i, w := range ws {
		k := [2]string{lang, w}
		s, ok := l.stems[k]
		if !ok {
			s = domain.StemText(w, lang)
			l.stems[k] = s
		}
		ws[i] = s
	}
	return strings.Join(ws, " ")
}

// unrecorded keeps the words the loader has not recorded yet, and
// remembers them (the loader's transaction records them).
func (l *Loader) unrecorded(words []string) []string {
	var out []string
	for _, w := range words {
		if !l.terms[w] {
			if len(l.terms) < maxLoaderTerms {
				l.terms[w] = true
			}
			out = append(out, w)
		}
	}
	return out
}

// bulkPages writes the items' pages and their full-text entries.
func (s *Store) bulkPages(ctx context.Context, items []LoadItem, l *Loader) error {
	var rows [][]any
	type key struct {
		id   string
		page int
	}
	type page struct{ folded, lang string }
	pages := map[key]page{}
	for _, it := range items {
		for n, body := range it.Pages {
			folded := domain.FoldText(body)
			row := []any{it.ID, n + 1, 0, body}
			if s.postgres() {
				row = append(row, folded, domain.PGConfig(it.Language), folded)
			} else {
				pages[key{strings.ToLower(it.ID), n + 1}] = page{folded, it.Language}
			}
			rows = append(rows, row)
		}
	}
	if s.postgres() && l != nil {
		for _, r := range rows {
			r[0] = uuid.MustParse(r[0].(string))
		}
		return l.copyPages(ctx, rows)
	}
	if s.postgres() {
		return s.insertRows(ctx, "INSERT INTO search_pages (media_id, page, part, body, tsv) VALUES ",
			"(?, ?, ?, ?, to_tsvector('simple', ?) || to_tsvector(CAST(? AS regconfig), ?))", "", rows, bulkPageRows, nil)
	}
	type made struct {
		RID     int64  `bun:"rid"`
		MediaID string `bun:"media_id"`
		Page    int    `bun:"page"`
	}
	var all []made
	if err := s.insertRows(ctx, "INSERT INTO search_pages (media_id, page, part, body) VALUES ", "(?, ?, ?, ?)",
		" RETURNING rid, CAST(media_id AS TEXT) AS media_id, page", rows, bulkPageRows, func(q *bun.RawQuery) error {
			var part []made
			err := q.Scan(ctx, &part)
			all = append(all, part...)
			return err
		}); err != nil {
		return err
	}
	fts := make([][]any, len(all))
	for i, m := range all {
		p := pages[key{strings.ToLower(m.MediaID), m.Page}]
		fts[i] = []any{m.RID, midToken(m.MediaID), l.stemText(p.folded, p.lang)}
	}
	return s.insertRows(ctx, "INSERT INTO search_pages_fts (rowid, mid, body) VALUES ", "(?, ?, ?)", "", fts, bulkPageRows, nil)
}

// insertRows runs head + tuple × rows + tail, per statements of at most
// per rows; with collect, each statement is given to it to scan what
// RETURNING gives.
func (s *Store) insertRows(ctx context.Context, head, tuple, tail string, rows [][]any, per int, collect func(*bun.RawQuery) error) error {
	for len(rows) > 0 {
		n := min(len(rows), per)
		var b strings.Builder
		b.WriteString(head)
		var args []any
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
			args = append(args, r...)
		}
		b.WriteString(tail)
		rows = rows[n:]
		if collect == nil {
			if _, err := s.idb().NewRaw(b.String(), args...).Exec(ctx); err != nil {
				return err
			}
			continue
		}
		if err := collect(s.idb().NewRaw(b.String(), args...)); err != nil && !isNoRows(err) {
			return err
		}
	}
	return nil
}

// foldPages is the items' text as indexed with it (contentOf's rules) and
// all of it folded, bounded, for the known words (PutText's).
func foldPages(bodies []string) (content, all string) {
	var b strings.Builder
	for _, body := range bodies {
		if b.Len() >= maxIndexedContent {
			break
		}
		b.WriteString(domain.FoldText(body))
		b.WriteByte(' ')
	}
	all = b.String()
	content = all
	if len(content) > maxIndexedContent {
		content = content[:strings.LastIndexByte(content[:maxIndexedContent], ' ')+1]
	}
	return content, all
}

// uniq is values without repeats, in first-seen order.
func uniq(values []string) []string {
	var out []string
	for _, v := range values {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Baseline runs the bare full-text query for one word, stemmed for langs as
// the API stems it — the match and the ranking, nothing else: no
// visibility, filters, facets, highlights or count — returning the IDs of
// the first limit items. Benchmarks report the API's query shapes as
// ratios to it.
func (s *Store) Baseline(ctx context.Context, word string, langs []string, limit int) ([]string, error) {
	q := domain.ParseQuery(word)
	var ids []string
	var err error
	if !s.postgres() {
		err = s.idb().NewRaw(`SELECT CAST(m.id AS TEXT) FROM search_fts JOIN search_media m ON m.rid = search_fts.rowid
			WHERE search_fts MATCH ? ORDER BY rank LIMIT ?`, fts5Query(q, langs), limit).Scan(ctx, &ids)
	} else {
		tq, args := pgTSQuery(q, langs)
		args = append(append(args, args...), limit)
		err = s.idb().NewRaw(`SELECT CAST(id AS TEXT) FROM search_media WHERE tsv @@ `+tq+`
			ORDER BY ts_rank(tsv, `+tq+`) DESC LIMIT ?`, args...).Scan(ctx, &ids)
	}
	if isNoRows(err) {
		err = nil
	}
	return ids, err
}
