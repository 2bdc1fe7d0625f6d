package search

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/search/domain"
)

// Sort orders of a search.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortPopular   = "popular"
)

// Params select and order a page of results.
type Params struct {
	Query domain.Query
	// Langs are the languages the query's words are stemmed for (the
	// language filter's, else those of the indexed items).
	Langs []string
	// MemberUserID, when set, searches the items of the authors this user
	// is a member of, drafts included (scope=mine); otherwise only what the
	// public may see.
	MemberUserID                      string
	Kind, Language, License, AuthorID string
	Tag                               string
	// CategoryIDs is the filter's category and its descendants.
	CategoryIDs                     []string
	DurationMin, DurationMax        *float64
	PagesMin, PagesMax              *int
	PublishedAfter, PublishedBefore *time.Time
	Sort                            string
	After                           *Cursor
	Limit                           int
}

// Cursor is the keyset position after the last hit of a page.
type Cursor struct {
	Score float64   `json:"s,omitempty"`
	Time  time.Time `json:"t,omitzero"`
	Pop   int64     `json:"p,omitempty"`
	ID    string    `json:"i"`
}

// Hit is one result.
type Hit struct {
	ID          string    `bun:"id"`
	Doc         string    `bun:"doc"`
	Title       string    `bun:"title"`
	Description string    `bun:"description"`
	Score       float64   `bun:"score"`
	SortTime    time.Time `bun:"sort_time"`
	Popularity  int64     `bun:"popularity"`
}

// sqlPart is a fragment of SQL with its arguments in order.
type sqlPart struct {
	sql  strings.Builder
	args []any
}

func (p *sqlPart) add(s string, args ...any) {
	p.sql.WriteString(s)
	p.args = append(p.args, args...)
}

// base renders "FROM … WHERE …" for the matching set.
func (s *Store) base(p Params) (*sqlPart, *match) {
	out := &sqlPart{}
	var m *match
	if p.Query.Positive() {
		mm := s.matchOf(p.Query, p.Langs)
		m = &mm
		out.add(" FROM "+mm.from+" WHERE "+mm.where, mm.whereArgs...)
	} else {
		out.add(" FROM search_media m WHERE 1 = 1")
	}
	if p.MemberUserID != "" {
		out.add(` AND m.status <> 'removed' AND EXISTS (SELECT 1 FROM search_media_authors vm
			JOIN search_members mb ON mb.author_id = vm.author_id WHERE vm.media_id = m.id AND mb.user_id = ?)`, p.MemberUserID)
	} else {
		out.add(" AND m.visible = TRUE")
	}
	if p.Kind != "" {
		out.add(" AND m.kind = ?", p.Kind)
	}
	if p.Language != "" {
		out.add(" AND m.language = ?", p.Language)
	}
	if p.License != "" {
		out.add(" AND m.license = ?", p.License)
	}
	if p.AuthorID != "" {
		out.add(" AND EXISTS (SELECT 1 FROM search_media_authors fa WHERE fa.media_id = m.id AND fa.author_id = ?)", p.AuthorID)
	}
	if p.Tag != "" {
		out.add(" AND EXISTS (SELECT 1 FROM search_media_tags ft WHERE ft.media_id = m.id AND ft.tag = ?)", p.Tag)
	}
	if p.CategoryIDs != nil {
		out.add(" AND EXISTS (SELECT 1 FROM search_media_categories fc WHERE fc.media_id = m.id AND fc.category_id IN (?))",
			bun.List(p.CategoryIDs))
	}
	if p.DurationMin != nil {
		out.add(" AND m.duration >= ?", *p.DurationMin)
	}
	if p.DurationMax != nil {
		out.add(" AND m.duration <= ?", *p.DurationMax)
	}
	if p.PagesMin != nil {
		out.add(" AND m.pages >= ?", *p.PagesMin)
	}
	if p.PagesMax != nil {
		out.add(" AND m.pages <= ?", *p.PagesMax)
	}
	if p.PublishedAfter != nil {
		out.add(" AND m.published_at >= ?", p.PublishedAfter.UTC())
	}
	if p.PublishedBefore != nil {
		out.add(" AND m.published_at < ?", p.PublishedBefore.UTC())
	}
	return out, m
}

// Search returns one page of hits (Limit+1 rows tell whether more follow).
func (s *Store) Search(ctx context.Context, p Params) ([]Hit, error) {
	base, m := s.base(p)
	q := &sqlPart{}
	score := "CAST(0 AS DOUBLE PRECISION)"
	var scoreArgs []any
	if m != nil {
		score, scoreArgs = m.score, m.scoreArgs
	}
	sort := p.Sort
	if sort == SortRelevance && m == nil {
		sort = SortNewest
	}
	cols := "m.id, m.doc, m.title, m.description, m.sort_time, m.popularity, " + score + " AS score"
	switch sort {
	case SortRelevance:
		// The score is computed for every match: order on the derived table.
		q.add("SELECT * FROM (SELECT "+cols, scoreArgs...)
		q.add(base.sql.String(), base.args...)
		q.add(") r")
		if p.After != nil {
			q.add(" WHERE (r.score < ? OR (r.score = ? AND r.id > ?))", p.After.Score, p.After.Score, p.After.ID)
		}
		q.add(" ORDER BY r.score DESC, r.id ASC")
	case SortPopular:
		// Keyset on indexed columns: a deep page costs what the first does.
		q.add("SELECT "+cols, scoreArgs...)
		q.add(base.sql.String(), base.args...)
		if p.After != nil {
			q.add(" AND (m.popularity < ? OR (m.popularity = ? AND m.id > ?))", p.After.Pop, p.After.Pop, p.After.ID)
		}
		q.add(" ORDER BY m.popularity DESC, m.id ASC")
	default:
		q.add("SELECT "+cols, scoreArgs...)
		q.add(base.sql.String(), base.args...)
		if p.After != nil {
			q.add(" AND (m.sort_time < ? OR (m.sort_time = ? AND m.id < ?))", p.After.Time.UTC(), p.After.Time.UTC(), p.After.ID)
		}
		q.add(" ORDER BY m.sort_time DESC, m.id DESC")
	}
	q.add(" LIMIT ?", p.Limit+1)
	var hits []Hit
	if err := s.idb().NewRaw(q.sql.String(), q.args...).Scan(ctx, &hits); err != nil && !isNoRows(err) {
		return nil, err
	}
	return hits, nil
}

// Count is how many items match.
func (s *Store) Count(ctx context.Context, p Params) (int, error) {
	base, _ := s.base(p)
	var n int
	err := s.idb().NewRaw("SELECT COUNT(*)"+base.sql.String(), base.args...).Scan(ctx, &n)
	return n, err
}

// facetSQL names each facet's value expression and the link table it reads
// (joined as x on x.media_id = the item's id), if any.
var facetSQL = map[string]struct{ value, table string }{
	"kind":     {"m.kind", ""},
	"language": {"m.language", ""},
	"license":  {"m.license", ""},
	"author":   {"CAST(x.author_id AS TEXT)", "search_media_authors"},
	"category": {"CAST(x.category_id AS TEXT)", "search_media_categories"},
	"tag":      {"x.tag", "search_media_tags"},
}

// FacetNames are the facets every search answers.
var FacetNames = []string{"kind", "language", "category", "author", "tag", "license"}

// Known reports which of the words are known terms.
func (s *Store) Known(ctx context.Context, words []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(words) == 0 {
		return out, nil
	}
	var found []string
	if err := s.idb().NewRaw("SELECT term FROM search_terms WHERE term IN (?)", bun.List(words)).Scan(ctx, &found); err != nil && !isNoRows(err) {
		return nil, err
	}
	for _, w := range found {
		out[w] = true
	}
	return out, nil
}

// NearTerms returns known words that may be what a misspelt word meant.
func (s *Store) NearTerms(ctx context.Context, word string) ([]string, error) {
	return s.nearTerms(ctx, word, 50)
}

// MediaAccess says whether an item exists for the public, or for a member.
func (s *Store) MediaAccess(ctx context.Context, id, userID string) (found bool, contentType string, err error) {
	if userID == "" {
		userID = "00000000-0000-0000-0000-000000000000" // nobody
	}
	var row struct {
		Visible bool   `bun:"visible"`
		Status  string `bun:"status"`
		Doc     string `bun:"doc"`
		Member  bool   `bun:"member"`
	}
	err = s.idb().NewRaw(`SELECT m.visible, m.status, m.doc, EXISTS (SELECT 1 FROM search_media_authors vm
		JOIN search_members mb ON mb.author_id = vm.author_id WHERE vm.media_id = m.id AND mb.user_id = ?) AS member
		FROM search_media m WHERE m.id = ?`, userID, id).Scan(ctx, &row)
	if isNoRows(err) {
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	if !row.Visible && (!row.Member || row.Status == "removed") {
		return false, "", nil
	}
	return true, row.Doc, nil
}

// Passages returns the item's pages matching q after page `after`, in
// order, at most limit+1.
func (s *Store) Passages(ctx context.Context, mediaID string, q domain.Query, lang string, after, limit int) ([]Page, error) {
	cond, args := s.pagesMatch(mediaID, q, lang)
	var rows []struct {
		N    int    `bun:"page"`
		Part int    `bun:"part"`
		Body string `bun:"body"`
	}
	args = append(args, mediaID, after, limit+1)
	err := s.idb().NewRaw("SELECT p.page, p.part, p.body FROM search_pages p WHERE "+cond+" AND p.media_id = ? AND p.page > ? ORDER BY p.page LIMIT ?",
		args...).Scan(ctx, &rows)
	if err != nil && !isNoRows(err) {
		return nil, err
	}
	out := make([]Page, len(rows))
	for i, r := range rows {
		out[i] = Page{N: r.N, Part: r.Part, Body: r.Body}
	}
	return out, nil
}

// Suggestion is one autocomplete entry.
type Suggestion struct {
	Kind string `bun:"kind"`
	Text string `bun:"text"`
	ID   string `bun:"id"`
}

// suggestCandidates bounds the titles Suggest orders by popularity: the
// first of the items with a title word starting with the first word typed,
// in word order (shorter completions first).
const suggestCandidates = 1000

// Suggest returns titles, authors and tags starting with prefix (folded),
// or with a word that does, among what the public may see.
//
// Titles are found through their words (search_title_words, a prefix is a
// range of its key): at most suggestCandidates items with a title word
// starting with the first word typed, those whose title starts with the
// prefix or has a word that does, by popularity. Tags are a range of their
// index.
func (s *Store) Suggest(ctx context.Context, prefix string, limit int) ([]Suggestion, error) {
	starts := escapeLike(prefix) + "%"
	inner := "% " + starts
	first := prefix
	if f := strings.Fields(prefix); len(f) > 0 {
		first = f[0]
	}
	lo, hi := prefixRange(first)
	tlo, thi := prefixRange(prefix)
	var out []Suggestion
	var titles, authors, tags []Suggestion
	if err := s.idb().NewRaw(`SELECT 'title' AS kind, m.title AS text, CAST(m.id AS TEXT) AS id FROM search_media m
		WHERE m.rid IN (SELECT w.rid FROM search_title_words w WHERE w.word >= ? AND w.word < ? ORDER BY w.word, w.rid LIMIT ?)
		AND m.visible = TRUE AND (m.title_norm LIKE ? ESCAPE '!' OR m.title_norm LIKE ? ESCAPE '!')
		ORDER BY m.popularity DESC, m.title LIMIT ?`, lo, hi, suggestCandidates, starts, inner, limit).Scan(ctx, &titles); err != nil && !isNoRows(err) {
		return nil, err
	}
	if err := s.idb().NewRaw(`SELECT 'author' AS kind, a.name AS text, CAST(a.id AS TEXT) AS id FROM search_authors a
		WHERE a.status = 'active' AND (a.name_norm LIKE ? ESCAPE '!' OR a.name_norm LIKE ? ESCAPE '!')
		AND EXISTS (SELECT 1 FROM search_media_authors ma JOIN search_media m ON m.id = ma.media_id
			WHERE ma.author_id = a.id AND m.visible = TRUE)
		ORDER BY a.name LIMIT ?`, starts, inner, limit).Scan(ctx, &authors); err != nil && !isNoRows(err) {
		return nil, err
	}
	if err := s.idb().NewRaw(`SELECT 'tag' AS kind, t.tag AS text, '' AS id FROM search_media_tags t
		JOIN search_media m ON m.id = t.media_id WHERE m.visible = TRUE AND t.tag >= ? AND t.tag < ? AND t.tag LIKE ? ESCAPE '!'
		GROUP BY t.tag ORDER BY COUNT(*) DESC, t.tag LIMIT ?`, tlo, thi, starts, limit).Scan(ctx, &tags); err != nil && !isNoRows(err) {
		return nil, err
	}
	// Interleave so each kind gets a share of the limit.
	for i := 0; len(out) < limit && (i < len(titles) || i < len(authors) || i < len(tags)); i++ {
		for _, l := range [][]Suggestion{titles, authors, tags} {
			if i < len(l) && len(out) < limit {
				out = append(out, l[i])
			}
		}
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(s)
}
