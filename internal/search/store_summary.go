package search

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
)

// Summary counts the matching items and, with facets, each facet's values
// (the most frequent maxValues).
//
// A search with words computes the match once (a materialized CTE) and
// counts over it. A browse (no words) counts straight from the indexed
// tables: total, kind, language and license from one grouping over the
// covering index of search_media, the author, category and tag facets
// from the link tables joined to it. A public browse's answer is cached in
// the process while the index's generation (search_state, bumped by every
// write that can change what is visible or how it is counted) stays the
// same.
func (s *Store) Summary(ctx context.Context, p Params, maxValues int, facets bool) (int, map[string]map[string]int, error) {
	if p.Query.Positive() {
		return s.matchSummary(ctx, p, maxValues, facets)
	}
	if p.MemberUserID != "" || s.summaries == nil {
		return s.browseSummary(ctx, p, maxValues, facets)
	}
	gen, err := s.generation(ctx)
	if err != nil {
		return 0, nil, err
	}
	key := browseKey(p, maxValues)
	if e, ok := s.summaries.get(gen, key); ok && (e.facets != nil || !facets) {
		if !facets {
			return e.total, nil, nil
		}
		return e.total, e.facets, nil
	}
	total, out, err := s.browseSummary(ctx, p, maxValues, facets)
	if err != nil {
		return 0, nil, err
	}
	s.summaries.put(gen, key, summaryEntry{total: total, facets: out})
	return total, out, nil
}

// matchSummary is Summary for a search with words.
func (s *Store) matchSummary(ctx context.Context, p Params, maxValues int, facets bool) (int, map[string]map[string]int, error) {
	base, _ := s.base(p)
	if !facets {
		var n int
		err := s.idb().NewRaw("SELECT COUNT(*)"+base.sql.String(), base.args...).Scan(ctx, &n)
		return n, nil, err
	}
	// SQLite: CROSS JOIN keeps the materialized match as the outer loop,
	// each of its rows probing the link table's primary key (left to
	// itself the planner may scan the link table and search the match).
	join := " JOIN "
	if !s.postgres() {
		join = " CROSS JOIN "
	}
	q := &sqlPart{}
	q.add("WITH h AS MATERIALIZED (SELECT m.id, m.kind, m.language, m.license")
	q.add(base.sql.String(), base.args...)
	q.add(") SELECT f, v, n FROM (SELECT 'total' AS f, '' AS v, COUNT(*) AS n FROM h) t0")
	for i, name := range FacetNames {
		f := facetSQL[name]
		value := strings.ReplaceAll(f.value, "m.", "h.")
		from := "h"
		if f.table != "" {
			from = "h" + join + f.table + " x ON x.media_id = h.id"
		}
		q.add(" UNION ALL SELECT * FROM (SELECT '"+name+"' AS f, "+value+" AS v, COUNT(*) AS n FROM "+from+
			" GROUP BY "+value+" ORDER BY n DESC, v LIMIT ?) t"+string(rune('1'+i)), maxValues)
	}
	var rows []facetRow
	if err := s.idb().NewRaw(q.sql.String(), q.args...).Scan(ctx, &rows); err != nil && !isNoRows(err) {
		return 0, nil, err
	}
	total := 0
	out := emptyFacets()
	for _, r := range rows {
		switch {
		case r.F == "total":
			total = r.N
		case r.V != "":
			out[r.F][r.V] = r.N
		}
	}
	return total, out, nil
}

type facetRow struct {
	F string `bun:"f"`
	V string `bun:"v"`
	N int    `bun:"n"`
}

// browseSummary is Summary for a browse, from the indexed tables.
func (s *Store) browseSummary(ctx context.Context, p Params, maxValues int, facets bool) (int, map[string]map[string]int, error) {
	base, _ := s.base(p)
	var groups []struct {
		Kind     string `bun:"kind"`
		Language string `bun:"language"`
		License  string `bun:"license"`
		N        int    `bun:"n"`
	}
	if !facets {
		var n int
		err := s.idb().NewRaw("SELECT COUNT(*)"+base.sql.String(), base.args...).Scan(ctx, &n)
		return n, nil, err
	}
	if err := s.idb().NewRaw("SELECT m.kind, m.language, m.license, COUNT(*) AS n"+base.sql.String()+
		" GROUP BY m.kind, m.language, m.license", base.args...).Scan(ctx, &groups); err != nil && !isNoRows(err) {
		return 0, nil, err
	}
	total := 0
	counts := map[string]map[string]int{"kind": {}, "language": {}, "license": {}}
	for _, g := range groups {
		total += g.N
		counts["kind"][g.Kind] += g.N
		counts["language"][g.Language] += g.N
		counts["license"][g.License] += g.N
	}
	out := emptyFacets()
	for name, c := range counts {
		out[name] = topValues(c, maxValues)
	}
	join := " JOIN "
	if !s.postgres() {
		join = " CROSS JOIN " // the items outer, probing the link table's key
	}
	for _, name := range FacetNames {
		f := facetSQL[name]
		if f.table == "" {
			continue
		}
		from := strings.Replace(base.sql.String(), " FROM search_media m ", " FROM search_media m"+join+f.table+" x ON x.media_id = m.id ", 1)
		var rows []facetRow
		if err := s.idb().NewRaw("SELECT '"+name+"' AS f, "+f.value+" AS v, COUNT(*) AS n"+from+" GROUP BY "+f.value+
			" ORDER BY n DESC, v LIMIT ?", append(slices.Clone(base.args), maxValues)...).Scan(ctx, &rows); err != nil && !isNoRows(err) {
			return 0, nil, err
		}
		for _, r := range rows {
			if r.V != "" {
				out[name][r.V] = r.N
			}
		}
	}
	return total, out, nil
}

// topValues keeps the n most frequent non-empty values (ties by value),
// as the statements' ORDER BY n DESC, v LIMIT n do.
func topValues(c map[string]int, n int) map[string]int {
	type vn struct {
		v string
		n int
	}
	var all []vn
	for v, k := range c {
		if v != "" {
			all = append(all, vn{v, k})
		}
	}
	slices.SortFunc(all, func(a, b vn) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.v, b.v)
	})
	out := map[string]int{}
	for _, x := range all[:min(n, len(all))] {
		out[x.v] = x.n
	}
	return out
}

// generation is the index's write counter (search_state).
func (s *Store) generation(ctx context.Context) (int64, error) {
	var g int64
	err := s.idb().NewRaw("SELECT generation FROM search_state WHERE id = 1").Scan(ctx, &g)
	if isNoRows(err) {
		err = nil
	}
	return g, err
}

// touch bumps the generation: cached browse summaries are stale. It runs in
// the writer's transaction, so readers see the new value only with the
// write.
func (s *Store) touch(ctx context.Context) error {
	_, err := s.idb().NewRaw("UPDATE search_state SET generation = generation + 1 WHERE id = 1").Exec(ctx)
	return err
}

// browseKey identifies a public browse's filters (not its order or page).
func browseKey(p Params, maxValues int) string {
	k, _ := json.Marshal(struct {
		Kind, Language, License, AuthorID, Tag string
		CategoryIDs                            []string
		DurationMin, DurationMax               *float64
		PagesMin, PagesMax                     *int
		After, Before                          any
		Max                                    int
	}{p.Kind, p.Language, p.License, p.AuthorID, p.Tag, p.CategoryIDs, p.DurationMin, p.DurationMax, p.PagesMin, p.PagesMax,
		p.PublishedAfter, p.PublishedBefore, maxValues})
	return string(k)
}

// summaryCache holds the summaries of public browses made at one
// generation; a newer generation empties it.
type summaryCache struct {
	mu      sync.Mutex
	gen     int64
	entries map[string]summaryEntry
}

type summaryEntry struct {
	total  int
	facets map[string]map[string]int // nil when counted without facets
}

// maxCachedSummaries bounds the cache: filters are the client's choice.
const maxCachedSummaries = 512

func (c *summaryCache) get(gen int64, key string) (summaryEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return summaryEntry{}, false
	}
	e, ok := c.entries[key]
	return e, ok
}

func (c *summaryCache) put(gen int64, key string, e summaryEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen < c.gen {
		return
	}
	if gen > c.gen || len(c.entries) >= maxCachedSummaries {
		c.gen, c.entries = gen, map[string]summaryEntry{}
	}
	if c.entries == nil {
		c.entries = map[string]summaryEntry{}
	}
	c.entries[key] = e
}
