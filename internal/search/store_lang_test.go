package search

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// Stemming for the item's language: on SQLite in Go (Snowball), on
// PostgreSQL with the language's text search configuration.
func TestSearchStemsPerLanguage(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		f.media(mediaEvent{Title: "Les chanteurs de la rue", Description: "Histoires de chansons oubliées qu'ils chantaient.", Language: "fr"})
		f.media(mediaEvent{Title: "Las canciones del mar", Description: "Los marineros cantaban historias.", Language: "es"}) //nolint:misspell // Spanish
		f.media(mediaEvent{Title: "Running notes", Description: "Runners and their shoes.", Language: "en"})

		// A French inflection finds the French item, filtered or not.
		assertTitles(t, "french singular", f.search("chanteur"), "Les chanteurs de la rue")
		assertTitles(t, "french, language filter", f.search("chanteur", func(r *searchRequest) { r.Params.Language = "fr" }),
			"Les chanteurs de la rue")
		assertTitles(t, "french plural of an inflected word", f.search("chansons oubliee"), "Les chanteurs de la rue")
		// Forms no English stemmer conflates.
		assertTitles(t, "french verb", f.search("chanter"), "Les chanteurs de la rue")
		assertTitles(t, "spanish verb", f.search("cantar"), "Las canciones del mar")
		assertTitles(t, "spanish verb, language filter", f.search("cantar", func(r *searchRequest) { r.Params.Language = "es" }),
			"Las canciones del mar")
		// Spanish: the singular marinero finds the plural; canción finds canciones.
		assertTitles(t, "spanish singular", f.search("marinero"), "Las canciones del mar")
		assertTitles(t, "spanish, language filter", f.search("marinero", func(r *searchRequest) { r.Params.Language = "es" }),
			"Las canciones del mar")
		assertTitles(t, "spanish phrase, inflected", f.search(`"marinero cantaban"`), "Las canciones del mar")
		assertTitles(t, "english still stemmed", f.search("runner"), "Running notes")
		// The language filter keeps other languages out.
		assertTitles(t, "other language filtered out", f.search("marinero", func(r *searchRequest) { r.Params.Language = "fr" }))
		// A word that is nowhere is not found through a stem.
		assertTitles(t, "unrelated word", f.search("chantier"))

		// Search inside stems for the item's language.
		doc := f.media(mediaEvent{Title: "Carnet", Language: "fr",
			Content:     &searchContentJSON{ContentType: "application/pdf", SHA256: "fr1", Pages: ptr(2)},
			Derivatives: []searchDerivativeJSON{{Kind: "text", Name: "text.txt"}}})
		jobs, err := a.store.DueTextJobs(f.ctx, time.Now().Add(time.Second), 10)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("text jobs: %v %v", jobs, err)
		}
		if done, err := a.store.PutText(f.ctx, jobs[0], splitPages("Le matin.\fLes pêcheurs réparaient leurs filets.\f")); err != nil || !done {
			t.Fatalf("put text: %v %v", done, err)
		}
		in, err := a.inside(f.ctx, doc.ID, "", "pecheur", "", 10)
		if err != nil || len(in.Items) != 1 || in.Items[0].Page == nil || *in.Items[0].Page != 2 {
			t.Errorf("inside, stemmed: %+v %v", in, err)
		}
	})
}

// sort=popular orders by engagement counts, copied in batches.
func TestSearchPopular(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		quiet := f.media(mediaEvent{Title: "Quiet lighthouse"})
		liked := f.media(mediaEvent{Title: "Liked lighthouse"})
		viewed := f.media(mediaEvent{Title: "Viewed lighthouse"})
		// Counts that arrive before their item is indexed are kept for it.
		early := newID()
		for _, e := range []struct {
			id           string
			likes, views int64
		}{{liked.ID, 1, 0}, {liked.ID, 1, 0}, {liked.ID, 1, 0}, {liked.ID, -1, 0}, {viewed.ID, 0, 15}, {early, 0, 5}, {quiet.ID, 0, 1}} {
			if err := a.store.AddEngagement(f.ctx, e.id, e.likes, e.views); err != nil {
				t.Fatal(err)
			}
		}
		popular := func(r *searchRequest) { r.Params.Sort = SortPopular }
		order := func(res searchResult) []string {
			var out []string
			for _, h := range res.Hits {
				out = append(out, h.Media.Title)
			}
			return out
		}
		// Nothing is copied before the flush.
		if got := f.search("lighthouse", popular); len(got.Hits) != 3 ||
			!slices.IsSortedFunc(got.Hits, func(x, y searchHitJSON) int { return strings.Compare(x.Media.ID, y.Media.ID) }) {
			t.Errorf("before the flush, all tie and order by id: %q", order(got))
		}
		a.flushPopularity(f.ctx)
		if n, err := a.store.FlushPopularity(f.ctx, 100); err != nil || n != 0 {
			t.Errorf("second flush: %d %v (nothing pending)", n, err)
		}
		// liked: 2 likes × 10 = 20; viewed: 15; quiet: 1.
		want := []string{"Liked lighthouse", "Viewed lighthouse", "Quiet lighthouse"}
		if got := order(f.search("lighthouse", popular)); !slices.Equal(got, want) {
			t.Errorf("popular: %q, want %q", got, want)
		}
		// Keyset pages follow the same order.
		first := f.search("lighthouse", popular, func(r *searchRequest) { r.Params.Limit = 2 })
		if first.Next == "" {
			t.Fatal("no next page")
		}
		second := f.search("lighthouse", popular, func(r *searchRequest) { r.Params.Limit = 2; r.PageToken = first.Next })
		if got := append(order(first), order(second)...); !slices.Equal(got, want) {
			t.Errorf("popular pages: %q, want %q", got, want)
		}
		// More views move an item up at the next flush.
		if err := a.store.AddEngagement(f.ctx, quiet.ID, 0, 100); err != nil {
			t.Fatal(err)
		}
		a.flushPopularity(f.ctx)
		if got := order(f.search("", popular)); len(got) == 0 || got[0] != "Quiet lighthouse" {
			t.Errorf("after views: %q", got)
		}
		f.media(mediaEvent{ID: early, Title: "Early lighthouse"})
		if got := order(f.search("lighthouse", popular)); !slices.Equal(got, []string{"Quiet lighthouse", "Liked lighthouse", "Viewed lighthouse", "Early lighthouse"}) {
			t.Errorf("counted before indexed: %q", got)
		}
	})
}

// scope=mine: a member finds the author's drafts by their title,
// description and (once published, then unpublished) text; nobody else
// does, in any scope.
func TestSearchDraftsForMembers(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		member, stranger := newID(), newID()
		au := f.author("Octavia Butler", "active")
		other := f.author("Someone Else", "active")
		for _, m := range []struct{ author, user string }{{au, member}, {other, stranger}} {
			if err := a.store.PutMember(f.ctx, m.author, m.user); err != nil {
				t.Fatal(err)
			}
		}
		f.media(mediaEvent{Title: "Parable manuscript", Description: "An unfinished xenogenesis sequel.", Status: "draft", AuthorIDs: []string{au}})
		doc := f.media(mediaEvent{Title: "Seed notebook", AuthorIDs: []string{au},
			Content:     &searchContentJSON{ContentType: "application/pdf", SHA256: "s1", Pages: ptr(1)},
			Derivatives: []searchDerivativeJSON{{Kind: "text", Name: "text.txt"}}})
		jobs, err := a.store.DueTextJobs(f.ctx, time.Now().Add(time.Second), 10)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("text jobs: %v %v", jobs, err)
		}
		if done, err := a.store.PutText(f.ctx, jobs[0], splitPages("The hyperempathy syndrome is described here.")); err != nil || !done {
			t.Fatalf("put text: %v %v", done, err)
		}
		doc.Status = "draft"
		f.media(doc)

		mine := func(u string) func(*searchRequest) { return func(r *searchRequest) { r.Params.MemberUserID = u } }
		assertTitles(t, "member, draft title", f.search("manuscript", mine(member)), "Parable manuscript")
		assertTitles(t, "member, draft description", f.search("xenogenesis", mine(member)), "Parable manuscript")
		assertTitles(t, "member, unpublished item's text", f.search("hyperempathy", mine(member)), "Seed notebook")
		in, err := a.inside(f.ctx, doc.ID, member, "hyperempathy", "", 10)
		if err != nil || len(in.Items) != 1 {
			t.Errorf("member, inside a draft: %+v %v", in, err)
		}
		for _, q := range []string{"manuscript", "xenogenesis", "hyperempathy", ""} {
			assertTitles(t, "public: "+q, f.search(q))
			assertTitles(t, "another author's member: "+q, f.search(q, mine(stranger)))
		}
		if _, err := a.inside(f.ctx, doc.ID, stranger, "hyperempathy", "", 10); err == nil {
			t.Error("a stranger searched inside a draft")
		}
		if got, err := a.suggest(context.Background(), "manu", 10); err != nil || len(got) != 0 {
			t.Errorf("suggest shows a draft: %+v %v", got, err)
		}
	})
}

// Search inside an EPUB: passages name their reading-order document and
// the chapter of the table of contents it belongs to.
func TestSearchInsideEPUBChapters(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		doc := f.media(mediaEvent{Title: "Voyages", Content: &searchContentJSON{ContentType: contentTypeEPUB, SHA256: "e1", Pages: ptr(3)},
			Derivatives: []searchDerivativeJSON{{Kind: "text", Name: "text.txt"}}})
		// As processing.media.processed.v1 reports the table of contents:
		// two entries in part 1, none in part 2 (it continues the second).
		if err := a.store.PutChapters(f.ctx, doc.ID, "e1", []Chapter{{Position: 1, Part: 1, Title: "Departure", Href: "OEBPS/ch1.xhtml"},
			{Position: 2, Part: 1, Title: "At sea", Href: "OEBPS/ch1.xhtml#sea"}, {Position: 3, Part: 3, Title: "Landfall", Href: "OEBPS/ch3.xhtml"}}); err != nil {
			t.Fatal(err)
		}
		jobs, err := a.store.DueTextJobs(f.ctx, time.Now().Add(time.Second), 10)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("text jobs: %v %v", jobs, err)
		}
		long := strings.Repeat("waves upon waves ", 200) // more than one passage
		text := "The albatross followed the ship.\f" + long + "an albatross again.\fThe albatross left at the harbour."
		if done, err := a.store.PutText(f.ctx, jobs[0], splitPages(text)); err != nil || !done {
			t.Fatalf("put text: %v %v", done, err)
		}
		in, err := a.inside(f.ctx, doc.ID, "", "albatross", "", 10)
		if err != nil || len(in.Items) != 3 {
			t.Fatalf("inside: %+v %v", in, err)
		}
		type got struct {
			section, position int
			chapter           string
		}
		var g []got
		for _, it := range in.Items {
			if it.Section == nil || it.Position == nil || it.Chapter == nil || it.Page != nil {
				t.Fatalf("passage fields: %+v", it)
			}
			g = append(g, got{*it.Section, *it.Position, it.Chapter.Title})
		}
		want := []got{{1, 1, "Departure"}, {2, 4, "At sea"}, {3, 5, "Landfall"}} // part 2 is three passages
		if !slices.Equal(g, want) {
			t.Errorf("EPUB passages %+v, want %+v", g, want)
		}
		if c := in.Items[2].Chapter; c.Index != 3 || c.Href != "OEBPS/ch3.xhtml" {
			t.Errorf("chapter: %+v", c)
		}
		// Search results carry the same.
		res := f.search("albatross")
		if len(res.Hits) != 1 || len(res.Hits[0].Highlights.Content) == 0 || res.Hits[0].Highlights.Content[0].Chapter == nil {
			t.Errorf("hit content: %+v", res.Hits)
		}
	})
}

// An SQLite index made with FTS5's porter tokenizer (before stemming moved
// into Go) is made again from the rows at start.
func TestSQLiteIndexRebuiltFromPorter(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		if a.store.postgres() {
			return
		}
		f := newFixture(t, a)
		f.media(mediaEvent{Title: "Les chanteurs de la rue", Language: "fr"})
		for _, q := range []string{"DROP TABLE search_fts", "DROP TABLE search_pages_fts",
			"CREATE VIRTUAL TABLE search_fts USING fts5(title, authors, tags, description, content, tokenize = 'porter unicode61 remove_diacritics 2')",
			"CREATE VIRTUAL TABLE search_pages_fts USING fts5(mid, body, tokenize = 'porter unicode61 remove_diacritics 2')"} {
			if _, err := a.store.db.ExecContext(f.ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		assertTitles(t, "old, empty index", f.search("chanteur"))
		if err := a.store.ensureFTS(f.ctx); err != nil {
			t.Fatal(err)
		}
		assertTitles(t, "rebuilt", f.search("chanteur"), "Les chanteurs de la rue")
		var sql string
		if err := a.store.db.NewRaw("SELECT sql FROM sqlite_master WHERE name = 'search_fts'").Scan(f.ctx, &sql); err != nil || strings.Contains(sql, "porter") {
			t.Errorf("still porter: %q %v", sql, err)
		}
	})
}
