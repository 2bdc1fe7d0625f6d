package search

import (
	"fmt"
	"maps"
	"testing"
)

// A browse's total and facets come from the indexed tables and are cached
// until the index changes; pages after the first carry no facets.
func TestBrowseSummary(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		ada := f.author("Ada Lovelace", "active")
		bob := f.author("Bob Builder", "active")
		for i := range 5 {
			f.media(mediaEvent{Title: fmt.Sprintf("Book %d", i), AuthorIDs: []string{ada}, Tags: []string{"history", "maps"}, License: "CC0-1.0"})
		}
		cast := f.media(mediaEvent{Title: "A podcast", Kind: "podcast", Language: "fr", AuthorIDs: []string{bob}, Tags: []string{"maps"}})
		f.media(mediaEvent{Title: "A draft", Status: "draft", AuthorIDs: []string{ada}, Tags: []string{"history"}})
		browse := func(mod ...func(*searchRequest)) searchResult {
			return f.search("", append([]func(*searchRequest){func(r *searchRequest) { r.Params.Sort = SortNewest }}, mod...)...)
		}
		check := func(what string, res searchResult, total int, want map[string]map[string]int) {
			t.Helper()
			if res.Total != total {
				t.Errorf("%s: total %d, want %d", what, res.Total, total)
			}
			for name, values := range want {
				if !maps.Equal(res.Facets[name], values) {
					t.Errorf("%s: facet %s = %v, want %v", what, name, res.Facets[name], values)
				}
			}
		}
		check("browse", browse(), 6, map[string]map[string]int{
			"kind": {"book": 5, "podcast": 1}, "language": {"en": 5, "fr": 1}, "license": {"CC0-1.0": 5},
			"author": {ada: 5, bob: 1}, "tag": {"history": 5, "maps": 6}, "category": {}})
		check("filtered", browse(func(r *searchRequest) { r.Params.Tag = "maps"; r.Params.Kind = "podcast" }), 1,
			map[string]map[string]int{"kind": {"podcast": 1}, "author": {bob: 1}, "tag": {"maps": 1}})
		// The same answer as a search with words gives for the same items.
		words := f.search("book OR podcast")
		if words.Total != 6 || !maps.Equal(words.Facets["tag"], map[string]int{"history": 5, "maps": 6}) {
			t.Errorf("with words: %d %v", words.Total, words.Facets)
		}

		// Writes are seen at once: a new item, an author hidden, an item deleted.
		f.media(mediaEvent{Title: "Another podcast", Kind: "podcast", AuthorIDs: []string{bob}, Tags: []string{"sound"}})
		check("after a new item", browse(), 7, map[string]map[string]int{"kind": {"book": 5, "podcast": 2}, "tag": {"history": 5, "maps": 6, "sound": 1}})
		f.v++
		if err := a.store.PutAuthor(f.ctx, AuthorRecord{ID: ada, Name: "Ada Lovelace", Status: "suspended", Version: f.v}); err != nil {
			t.Fatal(err)
		}
		check("after an author is suspended", browse(), 2, map[string]map[string]int{"kind": {"podcast": 2}, "author": {bob: 2}})
		if err := a.store.DeleteMedia(f.ctx, cast.ID); err != nil {
			t.Fatal(err)
		}
		check("after a delete", browse(), 1, map[string]map[string]int{"kind": {"podcast": 1}, "tag": {"sound": 1}})

		// Another process's store (its own cache) sees this one's writes.
		other := newStore(a.store.db)
		other.trgm = a.store.trgm
		n, _, err := other.Summary(f.ctx, Params{}, 20, true)
		if err != nil || n != 1 {
			t.Fatalf("other store: %d %v", n, err)
		}
		f.media(mediaEvent{Title: "Third podcast", Kind: "podcast", AuthorIDs: []string{bob}})
		if n, _, err = other.Summary(f.ctx, Params{}, 20, true); err != nil || n != 2 {
			t.Errorf("other store after a write here: %d %v", n, err)
		}

		// Page 2: the total, no facets.
		first := browse(func(r *searchRequest) { r.Params.Limit = 1 })
		if first.Facets == nil || first.Next == "" {
			t.Fatalf("page 1: %v %q", first.Facets, first.Next)
		}
		second := browse(func(r *searchRequest) { r.Params.Limit = 1; r.PageToken = first.Next })
		if second.Facets != nil || second.Total != 2 || len(second.Hits) != 1 {
			t.Errorf("page 2: facets %v total %d hits %d", second.Facets, second.Total, len(second.Hits))
		}
		wordsNext := f.search("podcast", func(r *searchRequest) { r.Params.Limit = 1 })
		if wordsNext.Next == "" {
			t.Fatal("no second page of words")
		}
		if res := f.search("podcast", func(r *searchRequest) { r.Params.Limit = 1; r.PageToken = wordsNext.Next }); res.Facets != nil || res.Total != 2 {
			t.Errorf("words page 2: facets %v total %d", res.Facets, res.Total)
		}
	})
}
