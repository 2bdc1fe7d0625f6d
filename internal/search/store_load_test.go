package search

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Load's bulk path writes what the consumers' one-at-a-time path writes:
// the same items loaded both ways (under different IDs) give the same
// rows, link rows, pages and full-text entries.
func TestLoadBulkMatchesOneAtATime(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		st := a.store
		gone := f.author("Gone Author", "suspended")
		ada, emile := newID(), newID()
		authors := []LoadAuthor{{ID: ada, Name: "Ada Lovelace"}, {ID: emile, Name: "Émile Zola"}}
		if err := st.Load(f.ctx, authors, nil); err != nil {
			t.Fatal(err)
		}
		cat := newID()
		pages := 3
		at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		items := []LoadItem{
			{Title: "Notes on the Analytical Engine", Description: "Translation with notes.", Kind: "book", Language: "en",
				License: "CC-BY-4.0", AuthorIDs: []string{ada, emile, ada}, Tags: []string{"history", "computing", "history"},
				CategoryIDs: []string{cat}, PublishedAt: at},
			{Title: "Germinal", Description: "Les mineurs du nord.", Kind: "document", Language: "fr", AuthorIDs: []string{emile},
				PageCount: &pages, Pages: []string{"Première page: les mineurs chantaient.", "Deuxième page.", "Troisième, la fin."},
				PublishedAt: at.Add(time.Hour)},
			{Title: "Hidden", Description: "An author who is suspended.", Kind: "podcast", Language: "en", AuthorIDs: []string{gone},
				Duration: ptr(60.0), PublishedAt: at.Add(2 * time.Hour)},
			{Title: "Unknown author", Description: "", Kind: "video", Language: "de", AuthorIDs: []string{newID()}, PublishedAt: at},
		}
		bulk, single := make([]LoadItem, len(items)), make([]LoadItem, len(items))
		for i, it := range items {
			bulk[i], single[i] = it, it
			bulk[i].ID, single[i].ID = newID(), newID()
		}
		// Engagement counted before the item is indexed is its popularity.
		if err := st.AddEngagement(f.ctx, bulk[0].ID, 2, 5); err != nil {
			t.Fatal(err)
		}
		if err := st.AddEngagement(f.ctx, single[0].ID, 2, 5); err != nil {
			t.Fatal(err)
		}
		if err := st.Load(f.ctx, nil, bulk); err != nil {
			t.Fatal(err)
		}
		for _, it := range single {
			if err := st.loadOne(f.ctx, it); err != nil {
				t.Fatal(err)
			}
		}
		// Loading again is not an error and changes nothing (the version is known).
		if err := st.Load(f.ctx, nil, bulk[:1]); err != nil {
			t.Fatal(err)
		}
		dump := func(id string) string {
			t.Helper()
			var b strings.Builder
			for _, q := range []string{
				`SELECT title, description, kind, language, license, status, visible, published_at, sort_time, duration, pages,
					popularity, version, REPLACE(CAST(doc AS TEXT), ?, 'ID') AS doc, title_norm, authors_text, text_object, text_indexed, event_time
					FROM search_media WHERE id = ?`,
				"SELECT CAST(author_id AS TEXT) AS a, position FROM search_media_authors WHERE media_id = ? ORDER BY position",
				"SELECT CAST(category_id AS TEXT) AS c FROM search_media_categories WHERE media_id = ?",
				"SELECT tag FROM search_media_tags WHERE media_id = ? ORDER BY tag",
				"SELECT page, part, body FROM search_pages WHERE media_id = ? ORDER BY page",
				"SELECT w.word FROM search_title_words w JOIN search_media m ON m.rid = w.rid WHERE m.id = ? ORDER BY w.word",
			} {
				args := []any{id}
				if strings.Contains(q, "REPLACE") {
					args = []any{id, id}
				}
				var rows []map[string]any
				if err := st.db.NewRaw(q, args...).Scan(f.ctx, &rows); err != nil && !isNoRows(err) {
					t.Fatal(err)
				}
				fmt.Fprintln(&b, rows)
			}
			var fts []map[string]any
			var q string
			if st.postgres() {
				q = "SELECT CAST(tsv AS TEXT) AS v FROM search_media WHERE id = ? UNION ALL SELECT CAST(tsv AS TEXT) FROM search_pages WHERE media_id = ?"
			} else {
				q = `SELECT f.title, f.authors, f.tags, f.description, f.content FROM search_fts f JOIN search_media m ON m.rid = f.rowid WHERE m.id = ?
					UNION ALL SELECT NULL, NULL, NULL, NULL, f.body FROM search_pages_fts f JOIN search_pages p ON p.rid = f.rowid WHERE p.media_id = ?`
			}
			if err := st.db.NewRaw(q, id, id).Scan(f.ctx, &fts); err != nil && !isNoRows(err) {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, fts)
			return b.String()
		}
		for i := range items {
			got, want := dump(bulk[i].ID), dump(single[i].ID)
			if got != want || !strings.Contains(got, items[i].Title) {
				t.Errorf("%s:\nbulk   %s\nsingle %s", items[i].Title, got, want)
			}
		}
		// And it is searchable: words, authors, text (stemmed), facets.
		res := f.search("mineur")
		assertTitles(t, "text", res, "Germinal", "Germinal")
		if res.Facets["author"][emile] != 2 {
			t.Errorf("facets: %v", res.Facets)
		}
		assertTitles(t, "author name", f.search("lovelace"), "Notes on the Analytical Engine", "Notes on the Analytical Engine")
		assertTitles(t, "suspended author hides", f.search("suspended"))
		known, err := st.Known(f.ctx, []string{"troisieme", "analytical", "computing"})
		if err != nil || !reflect.DeepEqual(known, map[string]bool{"troisieme": true, "analytical": true, "computing": true}) {
			t.Errorf("known words: %v %v", known, err)
		}
		if n, _, err := st.Summary(f.ctx, Params{}, 20, false); err != nil || n != 6 {
			t.Errorf("browse total %d %v", n, err)
		}
	})
}

// A Loader into an empty index drops its indexes and builds them at Close:
// afterwards every index is there, and the items are found by words, by
// suggest and by browse.
func TestLoaderIntoEmptyIndex(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		st := a.store
		indexes := func() []string {
			t.Helper()
			q := "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name"
			if st.postgres() {
				q = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname"
			}
			var names []string
			if err := st.db.NewRaw(q).Scan(f.ctx, &names); err != nil {
				t.Fatal(err)
			}
			return names
		}
		before := indexes()
		ld, err := st.NewLoader(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := indexes(); len(got) >= len(before) {
			t.Errorf("no index dropped for the load: %v", got)
		}
		ada := newID()
		at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		for i := range 3 {
			items := []LoadItem{{ID: newID(), Title: fmt.Sprintf("Analytical engine volume %d", i), Description: "Notes.", Kind: "book",
				Language: "en", AuthorIDs: []string{ada}, Tags: []string{"computing"}, PublishedAt: at.Add(time.Duration(i) * time.Hour)}}
			var authors []LoadAuthor
			if i == 0 {
				authors = []LoadAuthor{{ID: ada, Name: "Ada Lovelace"}}
			}
			if err := ld.Load(f.ctx, authors, items); err != nil {
				t.Fatal(err)
			}
		}
		if err := ld.Close(f.ctx); err != nil {
			t.Fatal(err)
		}
		if got := indexes(); !reflect.DeepEqual(got, before) {
			t.Errorf("indexes after the load:\n%v\nbefore:\n%v", got, before)
		}
		assertTitles(t, "word", f.search("analytical"), "Analytical engine volume 2", "Analytical engine volume 1", "Analytical engine volume 0")
		got, err := a.suggest(f.ctx, "engi", 10)
		if err != nil || len(got) != 3 || got[0].Kind != "title" {
			t.Errorf("suggest: %+v %v", got, err)
		}
		if n, _, err := st.Summary(f.ctx, Params{}, 20, false); err != nil || n != 3 {
			t.Errorf("browse total %d %v", n, err)
		}
		// A second loader finds the index not empty: it drops nothing.
		ld, err = st.NewLoader(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := indexes(); !reflect.DeepEqual(got, before) {
			t.Errorf("a load into a non-empty index dropped indexes: %v", got)
		}
		if err := ld.Close(f.ctx); err != nil {
			t.Fatal(err)
		}
	})
}
