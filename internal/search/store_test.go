package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// The contract suite: every case runs on SQLite and on PostgreSQL, through
// the app layer the handlers and consumers use.

func forEachStore(t *testing.T, fn func(t *testing.T, a *app)) {
	t.Helper()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			d := moduletest.OpenDB(t, s, "search", Migrations)
			st := newStore(d)
			if err := st.ensureFTS(context.Background()); err != nil {
				t.Fatal(err)
			}
			m, _ := newMetrics(nil)
			fn(t, &app{store: st, cfg: DefaultConfig(), log: discard(), m: m, tokenKey: []byte("0123456789abcdef0123456789abcdef"),
				wake: make(chan struct{}, 1), now: func() time.Time { return time.Now().UTC() }})
		})
	}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

type fixture struct {
	t   *testing.T
	a   *app
	ctx context.Context
	v   int64
	at  time.Time
}

func newFixture(t *testing.T, a *app) *fixture {
	return &fixture{t: t, a: a, ctx: context.Background(), at: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (f *fixture) author(name, status string) string {
	f.t.Helper()
	id := newID()
	f.v++
	if err := f.a.store.PutAuthor(f.ctx, AuthorRecord{ID: id, Name: name, Status: status, Version: f.v}); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// media indexes an item; its version grows with each call so updates apply.
func (f *fixture) media(e mediaEvent) mediaEvent {
	f.t.Helper()
	if e.ID == "" {
		e.ID = newID()
	}
	if e.Kind == "" {
		e.Kind = "book"
	}
	if e.Language == "" {
		e.Language = "en"
	}
	if e.Status == "" {
		e.Status = "published"
	}
	f.v++
	e.Version = f.v
	f.at = f.at.Add(time.Hour)
	if e.CreatedAt.IsZero() {
		e.CreatedAt = f.at
	}
	if e.Status == "published" && e.PublishedAt == nil {
		p := f.at
		e.PublishedAt = &p
	}
	err := f.a.store.InTx(f.ctx, func(ctx context.Context, st *Store) error { return f.a.putMedia(ctx, st, e, time.Now()) })
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

func (f *fixture) search(q string, mod ...func(*searchRequest)) searchResult {
	f.t.Helper()
	r := searchRequest{Text: q, Params: Params{Sort: SortRelevance, Limit: 20}}
	for _, m := range mod {
		m(&r)
	}
	res, err := f.a.search(f.ctx, r)
	if err != nil {
		f.t.Fatalf("search %q: %v", q, err)
	}
	return res
}

func titles(res searchResult) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Media.Title)
	}
	slices.Sort(out)
	return out
}

func assertTitles(t *testing.T, what string, res searchResult, want ...string) {
	t.Helper()
	got := titles(res)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

func TestSearchFinds(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		ada := f.author("Ada Lovelace", "active")
		emile := f.author("Émile Zola", "active")
		f.media(mediaEvent{Title: "Notes on the Analytical Engine", Description: "Translation with notes.", AuthorIDs: []string{ada},
			Tags: []string{"computing", "history"}, License: "CC-BY-4.0"})
		f.media(mediaEvent{Title: "Germinal", Description: "A novel about miners in the north of France.", Language: "fr",
			AuthorIDs: []string{emile}, Tags: []string{"novel"}})
		f.media(mediaEvent{Title: "Café society", Description: "Coffee houses and engines of conversation.", Kind: "podcast",
			Tags: []string{"history"}, Content: &searchContentJSON{DurationSeconds: ptr(1800.0)}})
		f.media(mediaEvent{Title: "Engine draft", Status: "draft", AuthorIDs: []string{ada}})

		assertTitles(t, "title word", f.search("analytical"), "Notes on the Analytical Engine")
		assertTitles(t, "author name", f.search("lovelace"), "Notes on the Analytical Engine")
		assertTitles(t, "folded author name", f.search("emile"), "Germinal")
		assertTitles(t, "tag", f.search("computing"), "Notes on the Analytical Engine")
		assertTitles(t, "diacritics folded", f.search("cafe"), "Café society")
		assertTitles(t, "stemmed", f.search("engine"), "Café society", "Notes on the Analytical Engine")
		assertTitles(t, "misspelt", f.search("analytcal"), "Notes on the Analytical Engine")
		assertTitles(t, "prefix", f.search("analyt*"), "Notes on the Analytical Engine")
		assertTitles(t, "phrase", f.search(`"analytical engine"`), "Notes on the Analytical Engine")
		assertTitles(t, "phrase out of order", f.search(`"engine analytical"`))
		assertTitles(t, "negation", f.search("engine -coffee"), "Notes on the Analytical Engine")
		assertTitles(t, "OR", f.search("germinal OR analytical"), "Germinal", "Notes on the Analytical Engine")
		assertTitles(t, "kind filter", f.search("history", func(r *searchRequest) { r.Params.Kind = "podcast" }), "Café society")
		assertTitles(t, "language filter", f.search("", func(r *searchRequest) { r.Params.Language = "fr" }), "Germinal")
		assertTitles(t, "license filter", f.search("", func(r *searchRequest) { r.Params.License = "CC-BY-4.0" }), "Notes on the Analytical Engine")
		assertTitles(t, "duration filter", f.search("", func(r *searchRequest) { r.Params.DurationMin = ptr(1000.0) }), "Café society")
		assertTitles(t, "author filter browse", f.search("", func(r *searchRequest) { r.Params.AuthorID = ada }), "Notes on the Analytical Engine")
		assertTitles(t, "tag filter", f.search("", func(r *searchRequest) { r.Params.Tag = "history" }), "Café society", "Notes on the Analytical Engine")
		assertTitles(t, "draft never public", f.search("draft"))

		res := f.search("history")
		if res.Total != 2 || res.Facets["kind"]["book"] != 1 || res.Facets["kind"]["podcast"] != 1 || res.Facets["tag"]["history"] != 2 ||
			res.Facets["tag"]["computing"] != 1 || res.Facets["author"][ada] != 1 || res.Facets["license"]["CC-BY-4.0"] != 1 {
			t.Errorf("facets: total %d %v", res.Total, res.Facets)
		}
		res = f.search("analytical")
		if h := res.Hits[0].Highlights.Title; h != "Notes on the <mark>Analytical</mark> Engine" {
			t.Errorf("highlight: %q", h)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestSearchVisibility(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		owner := newID()
		au := f.author("Grace Hopper", "active")
		if err := a.store.PutMember(f.ctx, au, owner); err != nil {
			t.Fatal(err)
		}
		pub := f.media(mediaEvent{Title: "Compilers for everyone", AuthorIDs: []string{au}})
		f.media(mediaEvent{Title: "Compilers draft", Status: "draft", AuthorIDs: []string{au}})
		assertTitles(t, "public", f.search("compilers"), "Compilers for everyone")
		mine := func(r *searchRequest) { r.Params.MemberUserID = owner }
		assertTitles(t, "mine", f.search("compilers", mine), "Compilers draft", "Compilers for everyone")
		assertTitles(t, "someone else's", f.search("compilers", func(r *searchRequest) { r.Params.MemberUserID = newID() }))

		// The author is removed: its items leave at once.
		f.v++
		if err := a.store.PutAuthor(f.ctx, AuthorRecord{ID: au, Name: "Grace Hopper", Status: "removed", Version: f.v}); err != nil {
			t.Fatal(err)
		}
		assertTitles(t, "author removed", f.search("compilers"))
		f.v++
		if err := a.store.PutAuthor(f.ctx, AuthorRecord{ID: au, Name: "Grace Hopper", Status: "active", Version: f.v}); err != nil {
			t.Fatal(err)
		}
		assertTitles(t, "author restored", f.search("compilers"), "Compilers for everyone")

		// Unpublished, then an older version replayed: it stays hidden.
		old := pub
		pub.Status = "draft"
		f.media(pub)
		assertTitles(t, "unpublished", f.search("compilers"))
		if err := a.store.InTx(f.ctx, func(ctx context.Context, st *Store) error { return a.putMedia(ctx, st, old, time.Now()) }); err != nil {
			t.Fatal(err)
		}
		assertTitles(t, "stale event ignored", f.search("compilers"))
		if err := a.store.DeleteMember(f.ctx, au, owner); err != nil {
			t.Fatal(err)
		}
		assertTitles(t, "no longer a member", f.search("compilers", mine))
		if err := a.store.DeleteMedia(f.ctx, pub.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := a.store.Count(f.ctx, Params{MemberUserID: owner}); err != nil || n != 0 {
			t.Errorf("after delete: %d %v", n, err)
		}
	})
}

func TestSearchPagingAndTokens(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		for i := range 25 {
			words := strings.Repeat("river ", 1+i%4)
			f.media(mediaEvent{Title: fmt.Sprintf("Item %02d", i), Description: words + "bank"})
		}
		for _, sort := range []string{SortRelevance, SortNewest, SortPopular} {
			seen := map[string]bool{}
			token := ""
			for page := 0; ; page++ {
				res := f.search("river", func(r *searchRequest) { r.Params.Sort, r.Params.Limit, r.PageToken = sort, 7, token })
				if res.Total != 25 {
					t.Fatalf("%s: total %d", sort, res.Total)
				}
				for _, h := range res.Hits {
					if seen[h.Media.ID] {
						t.Fatalf("%s: %s twice", sort, h.Media.Title)
					}
					seen[h.Media.ID] = true
				}
				if res.Next == "" {
					break
				}
				token = res.Next
				if page > 5 {
					t.Fatal("too many pages")
				}
			}
			if len(seen) != 25 {
				t.Errorf("%s: %d items over all pages", sort, len(seen))
			}
		}
		res := f.search("river", func(r *searchRequest) { r.Params.Limit = 5 })
		var br *badRequest
		for _, bad := range []string{"x", res.Next + "x", strings.Replace(res.Next, ".", "A.", 1), "e30.AAAAAAAAAAAAAAAAAAAAAA"} {
			_, err := a.search(f.ctx, searchRequest{Text: "river", Params: Params{Sort: SortRelevance, Limit: 5}, PageToken: bad})
			if !errors.As(err, &br) {
				t.Errorf("forged token %q: %v", bad, err)
			}
		}
		// A token of another search is refused too.
		_, err := a.search(f.ctx, searchRequest{Text: "bank", Params: Params{Sort: SortRelevance, Limit: 5}, PageToken: res.Next})
		if !errors.As(err, &br) {
			t.Errorf("token of another query: %v", err)
		}
	})
}

func TestSearchCategoriesAndText(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		science, physics, art := newID(), newID(), newID()
		for i, c := range []CategoryRecord{{ID: science, Name: "Science"}, {ID: physics, ParentID: &science, Name: "Physics"}, {ID: art, Name: "Art"}} {
			c.Status, c.Version = "active", int64(i+1)
			if err := a.store.PutCategory(f.ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		f.media(mediaEvent{Title: "Quantum notes", CategoryIDs: []string{physics}})
		f.media(mediaEvent{Title: "Paintings", CategoryIDs: []string{art}})
		assertTitles(t, "descendants", f.search("", func(r *searchRequest) { r.CategoryID = science }), "Quantum notes")
		assertTitles(t, "leaf", f.search("", func(r *searchRequest) { r.CategoryID = art }), "Paintings")

		// Search inside: text fetched for a published item with a text derivative.
		doc := f.media(mediaEvent{Title: "Field guide", Content: &searchContentJSON{ContentType: "application/pdf", SHA256: "abc", Pages: ptr(3)},
			Derivatives: []searchDerivativeJSON{{Kind: "text", Name: "text.txt"}}})
		jobs, err := a.store.DueTextJobs(f.ctx, time.Now().Add(time.Second), 10)
		if err != nil || len(jobs) != 1 || jobs[0].MediaID != doc.ID {
			t.Fatalf("text jobs: %v %v", jobs, err)
		}
		text := "Birds of the marsh.\fThe heron stands still.\n\fOwls hunt at night; the heron sleeps.\f"
		if done, err := a.store.PutText(f.ctx, jobs[0], splitPages(text)); err != nil || !done {
			t.Fatalf("put text: %v %v", done, err)
		}
		assertTitles(t, "word only in the text", f.search("heron"), "Field guide")
		res := f.search("heron")
		if c := res.Hits[0].Highlights.Content; len(c) != 2 || c[0].Page == nil || *c[0].Page != 2 || *c[1].Page != 3 ||
			!strings.Contains(c[0].Snippet, "<mark>heron</mark>") {
			t.Errorf("content highlights: %+v", c)
		}
		in, err := a.inside(f.ctx, doc.ID, "", "owls", "", 10)
		if err != nil || len(in.Items) != 1 || *in.Items[0].Page != 3 {
			t.Errorf("inside: %+v %v", in, err)
		}
		in, err = a.inside(f.ctx, doc.ID, "", "heron", "", 1)
		if err != nil || len(in.Items) != 1 || in.NextPageToken == "" {
			t.Fatalf("inside page 1: %+v %v", in, err)
		}
		in, err = a.inside(f.ctx, doc.ID, "", "heron", in.NextPageToken, 1)
		if err != nil || len(in.Items) != 1 || *in.Items[0].Page != 3 || in.NextPageToken != "" {
			t.Errorf("inside page 2: %+v %v", in, err)
		}
		// Unpublished: neither its text nor the item is found.
		doc.Status = "draft"
		f.media(doc)
		assertTitles(t, "text of a draft", f.search("heron"))
		if _, err := a.inside(f.ctx, doc.ID, "", "heron", "", 10); err == nil {
			t.Error("inside a draft: no error")
		}
	})
}

func TestSuggestAndHostile(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		ada := f.author("Ada Lovelace", "active")
		f.media(mediaEvent{Title: "Analytical Engine notes", AuthorIDs: []string{ada}, Tags: []string{"analysis"}})
		f.media(mediaEvent{Title: "Hidden analytics", Status: "draft"})
		got, err := a.suggest(f.ctx, "Ana", 10)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, s := range got {
			texts = append(texts, s.Kind+":"+s.Text)
		}
		slices.Sort(texts)
		if !slices.Equal(texts, []string{"tag:analysis", "title:Analytical Engine notes"}) {
			t.Errorf("suggest prefix: %q", texts)
		}
		got, err = a.suggest(f.ctx, "lovel", 10)
		if err != nil || len(got) != 1 || got[0].Kind != "author" {
			t.Errorf("suggest author: %+v %v", got, err)
		}
		got, err = a.suggest(f.ctx, "lovleace", 10)
		if err != nil || len(got) != 1 || got[0].Text != "Ada Lovelace" {
			t.Errorf("suggest typo: %+v %v", got, err)
		}
		for _, q := range []string{`"`, `"unbalanced`, `*`, `NEAR(a b)`, `title:x`, `^x`, `a AND OR NOT b`, `-`, `- -`, `OR`,
			`'; DROP TABLE search_media; --`, `x' OR '1'='1`, strings.Repeat("analytical ", 60), `(((`, `{title}: x`, `a:*`,
			`!x & y | z`, `<-> ::`, "\u202e", `-analytical`, `"" ""`} {
			res, err := a.search(f.ctx, searchRequest{Text: q, Params: Params{Sort: SortRelevance, Limit: 20}})
			if err != nil {
				t.Errorf("hostile %q: %v", q, err)
				continue
			}
			for _, h := range res.Hits {
				if h.Media.Status != "published" {
					t.Errorf("hostile %q found hidden %q", q, h.Media.Title)
				}
			}
			if _, err := a.suggest(f.ctx, q, 10); err != nil {
				t.Errorf("suggest hostile %q: %v", q, err)
			}
		}
	})
}
