package search

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReindexFromPublicAPI(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, a *app) {
		f := newFixture(t, a)
		owner := newID()
		au := f.author("Mary Somerville", "active")
		if err := a.store.PutMember(f.ctx, au, owner); err != nil {
			t.Fatal(err)
		}
		kept := f.media(mediaEvent{Title: "Connexion of the sciences", AuthorIDs: []string{au}})
		stale := f.media(mediaEvent{Title: "Mechanism of the heavens", AuthorIDs: []string{au}})
		f.media(mediaEvent{Title: "Sciences draft", Status: "draft", AuthorIDs: []string{au}})

		// The public API: the author renamed (same version: the index
		// missed nothing but is rewritten anyway), one item still public,
		// one new, the stale one gone.
		fresh := kept
		fresh.Title = "On the connexion of the physical sciences"
		added := mediaEvent{ID: newID(), Title: "Physical geography", Kind: "book", Language: "en", Status: "published",
			AuthorIDs: []string{au}, PublishedAt: kept.PublishedAt, CreatedAt: kept.CreatedAt, Version: 1}
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var items []any
			next := ""
			switch {
			case r.URL.Path == "/v1/categories":
			case r.URL.Path == "/v1/authors":
				items = []any{map[string]any{"id": au, "name": "Mary Fairfax Somerville", "status": "active", "version": f.v}}
			case r.URL.Path == "/v1/media" && r.URL.Query().Get("page_token") == "":
				items, next = []any{mediaView(fresh)}, "p2"
			case r.URL.Path == "/v1/media":
				items = []any{mediaView(added)}
			default:
				http.NotFound(w, r)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "next_page_token": next})
		}))
		defer api.Close()
		var out bytes.Buffer
		if err := Reindex(context.Background(), a.store, api.URL, nil, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "2 public media items rewritten; 1 no longer public removed") {
			t.Errorf("report: %s", out.String())
		}
		assertTitles(t, "rebuilt", f.search("sciences"), "On the connexion of the physical sciences")
		assertTitles(t, "new item", f.search("geography"), "Physical geography")
		assertTitles(t, "stale item gone", f.search("heavens"))
		assertTitles(t, "renamed author", f.search("fairfax"), "On the connexion of the physical sciences", "Physical geography")
		assertTitles(t, "drafts and members kept", f.search("sciences", func(r *searchRequest) { r.Params.MemberUserID = owner }),
			"On the connexion of the physical sciences", "Sciences draft")
		_ = stale
	})
}
