package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// titleOf makes titles whose order differs from creation order, with mixed
// case to show the title order ignores case.
func titleOf(i, n int) string {
	t := fmt.Sprintf("item %02d", (i*7)%n)
	if i%2 == 0 {
		t = strings.ToUpper(t)
	}
	return t
}

// The SQL visibility rule and filters must select exactly what the domain
// rule selects, in every order, across pages, with no duplicates or gaps.
func TestStoreMediaListPaginatesEveryOrderAndFilter(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		alice, bob, carol := newUser(true), newUser(true), newUser(false)
		mod := domain.Actor{UserID: domain.NewID(), Moderator: true}
		a1, a2 := mustAuthor(t, st, alice, "A1"), mustAuthor(t, st, alice, "A2")
		b1, gone := mustAuthor(t, st, bob, "B1"), mustAuthor(t, st, bob, "Gone")
		var cats []string
		for _, name := range []string{"X", "Y"} {
			c, _ := domain.NewCategory(mod, domain.CategoryFields{Name: &name}, testNow())
			if err := st.CreateCategory(ctx, c); err != nil {
				t.Fatal(err)
			}
			cats = append(cats, c.ID)
		}
		const n = 30
		var all []domain.Media
		for i := range n {
			spec := mediaSpec{title: titleOf(i, n), kind: domain.MediaKinds[i%4], lang: []string{"en", "pt-BR", "fr"}[i%3],
				tags: []string{fmt.Sprintf("t%d", i%5), "common"}, status: domain.MediaPublished}
			switch {
			case i%7 == 0:
				spec.status = domain.MediaRemoved
			case i%5 == 0:
				spec.status = domain.MediaDraft
			}
			if i%2 == 0 {
				spec.cats = append(spec.cats, cats[0])
			}
			if i%3 == 0 {
				spec.cats = append(spec.cats, cats[1])
			}
			actor := alice
			switch i % 4 {
			case 0:
				spec.authors = []string{a1.ID, a2.ID}
			case 1:
				spec.authors = []string{a1.ID}
			case 2:
				spec.authors, actor = []string{b1.ID}, bob
			default:
				spec.authors, actor = []string{gone.ID}, bob
			}
			all = append(all, mustMedia(t, st, actor, spec))
		}
		if _, err := st.UpdateAuthor(ctx, gone.ID, func(a *domain.Author) error { return a.Remove(bob, testNow()) }); err != nil {
			t.Fatal(err)
		}
		authors, err := st.Authors(ctx, []string{a1.ID, a2.ID, b1.ID, gone.ID})
		if err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name  string
			query MediaQuery
			match func(m domain.Media) bool
		}{
			{"anonymous_sees_published_of_active_authors", MediaQuery{}, nil},
			{"member_sees_own_drafts", MediaQuery{Actor: alice}, nil},
			{"member_filters_drafts", MediaQuery{Actor: bob, Status: domain.MediaDraft}, nil},
			{"moderator_lists_removed", MediaQuery{Actor: mod, Status: domain.MediaRemoved}, nil},
			{"stranger_filters_removed", MediaQuery{Actor: carol, Status: domain.MediaRemoved}, nil},
			{"kind", MediaQuery{Actor: carol, Kind: "podcast"}, func(m domain.Media) bool { return m.Kind == "podcast" }},
			{"author", MediaQuery{AuthorID: a1.ID}, func(m domain.Media) bool { return slices.Contains(m.AuthorIDs, a1.ID) }},
			{"category", MediaQuery{Actor: alice, CategoryID: cats[1]}, func(m domain.Media) bool { return slices.Contains(m.CategoryIDs, cats[1]) }},
			{"language", MediaQuery{Language: "pt-BR"}, func(m domain.Media) bool { return m.Language == "pt-BR" }},
			{"tag", MediaQuery{Actor: mod, Tag: "t3"}, func(m domain.Media) bool { return slices.Contains(m.Tags, "t3") }},
			{"combined", MediaQuery{Actor: bob, Tag: "common", Kind: "video"}, func(m domain.Media) bool { return m.Kind == "video" }},
		}
		for _, tt := range tests {
			var want []domain.Media
			for _, m := range all {
				status := tt.query.Status == m.Status || (tt.query.Status == "" && m.Status != domain.MediaRemoved)
				if status && m.VisibleTo(tt.query.Actor, authors) && (tt.match == nil || tt.match(m)) {
					want = append(want, m)
				}
			}
			for order, cmp := range map[string]func(a, b domain.Media) int{
				"oldest": func(a, b domain.Media) int { return strings.Compare(a.ID, b.ID) },
				"newest": func(a, b domain.Media) int { return strings.Compare(b.ID, a.ID) },
				"title": func(a, b domain.Media) int {
					if c := strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)); c != 0 {
						return c
					}
					return strings.Compare(a.ID, b.ID)
				},
			} {
				t.Run(tt.name+"/"+order, func(t *testing.T) {
					slices.SortFunc(want, cmp)
					q := tt.query
					q.Order, q.Size = mediaOrders[order], 4
					var got []string
					for pages := 0; ; pages++ {
						items, next, err := st.ListMedia(ctx, q)
						if err != nil || pages > n {
							t.Fatalf("page %d: %v", pages, err)
						}
						if len(items) > q.Size {
							t.Fatalf("page of %d items", len(items))
						}
						for _, m := range items {
							got = append(got, m.ID)
						}
						if next == "" {
							break
						}
						if q.After, err = decodePosition(next, q.Order); err != nil {
							t.Fatal(err)
						}
					}
					wantIDs := make([]string, len(want))
					for i, m := range want {
						wantIDs[i] = m.ID
					}
					if !slices.Equal(got, wantIDs) {
						t.Fatalf("got %d items %v\nwant %d %v", len(got), got, len(wantIDs), wantIDs)
					}
				})
			}
			if len(want) == 0 && tt.name != "stranger_filters_removed" {
				t.Errorf("%s: the data set yields no item; the case proves nothing", tt.name)
			}
		}
	})
}
