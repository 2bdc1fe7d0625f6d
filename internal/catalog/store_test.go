package catalog

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// The repository contract: every case runs on SQLite and on PostgreSQL.

var testLimits = DefaultConfig().limits()

func forEachStore(t *testing.T, fn func(t *testing.T, st *Store)) {
	t.Helper()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, NewStore(moduletest.OpenDB(t, s, "catalog", Migrations)))
		})
	}
}

func newUser(author bool) domain.Actor { return domain.Actor{UserID: domain.NewID(), Author: author} }

func mustAuthor(t *testing.T, st *Store, owner domain.Actor, name string) domain.Author {
	t.Helper()
	a, err := domain.NewAuthor(owner, domain.AuthorProfile{Name: &name, Links: &[]domain.AuthorLink{{Title: "Web", URL: "https://example.org"}}}, testNow())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateAuthor(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

type mediaSpec struct {
	title, kind, lang, status string
	authors, cats, tags       []string
}

func mustMedia(t *testing.T, st *Store, actor domain.Actor, spec mediaSpec) domain.Media {
	t.Helper()
	ctx := context.Background()
	refs, err := st.References(ctx, spec.authors, spec.cats)
	if err != nil {
		t.Fatal(err)
	}
	status := domain.MediaDraft
	if spec.status == domain.MediaPublished {
		status = spec.status
	}
	m, err := domain.NewMedia(actor, domain.MediaFields{Title: &spec.title, Kind: &spec.kind, Language: &spec.lang,
		AuthorIDs: &spec.authors, CategoryIDs: &spec.cats, Tags: &spec.tags, Status: &status}, refs, testLimits, testNow())
	if err != nil {
		t.Fatal(err)
	}
	if spec.status == domain.MediaRemoved {
		m.PreviousStatus, m.Status = m.Status, domain.MediaRemoved
	}
	if err := st.CreateMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestStoreAuthorCRUD(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		owner := newUser(true)
		a := mustAuthor(t, st, owner, "Ada Lovelace")
		got, err := st.Author(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != a.Name || len(got.Members) != 1 || got.Members[0].UserID != owner.UserID ||
			!got.CreatedAt.Equal(a.CreatedAt) || len(got.Links) != 1 || got.Version != 1 {
			t.Fatalf("read back %+v, wrote %+v", got, a)
		}
		bio := "Mathematician"
		updated, err := st.UpdateAuthor(ctx, a.ID, func(a *domain.Author) error {
			return a.UpdateProfile(owner, domain.AuthorProfile{Bio: &bio}, 1, testNow())
		})
		if err != nil || updated.Version != 2 || updated.Bio != bio {
			t.Fatalf("update: %+v, %v", updated, err)
		}
		// A write based on version 1 lost the race.
		if err := st.SaveAuthor(ctx, a, 1); errs.KindOf(err) != errs.PreconditionFailed {
			t.Fatalf("stale save: %v, want precondition failed", err)
		}
		if _, err := st.Author(ctx, domain.NewID()); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("missing author: %v", err)
		}
		if _, err := st.Author(ctx, "not-a-uuid"); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("malformed id: %v", err)
		}
	})
}

func TestStorePurgeAuthorCascades(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		owner := newUser(true)
		solo := mustAuthor(t, st, owner, "Solo")
		other := mustAuthor(t, st, owner, "Other")
		only := mustMedia(t, st, owner, mediaSpec{title: "Only", kind: "book", authors: []string{solo.ID}})
		shared := mustMedia(t, st, owner, mediaSpec{title: "Shared", kind: "book", authors: []string{solo.ID, other.ID}})
		if err := st.PurgeAuthor(ctx, solo.ID, testNow()); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Media(ctx, only.ID); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("sole-authored media survived: %v", err)
		}
		m, err := st.Media(ctx, shared.ID)
		if err != nil || !slices.Equal(m.AuthorIDs, []string{other.ID}) || m.Version != 2 {
			t.Fatalf("shared media after purge: %+v, %v", m, err)
		}
		if err := st.PurgeAuthor(ctx, solo.ID, testNow()); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("second purge: %v", err)
		}
	})
}

func TestStoreMediaCRUD(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		owner := newUser(true)
		a := mustAuthor(t, st, owner, "A")
		b := mustAuthor(t, st, owner, "B")
		m := mustMedia(t, st, owner, mediaSpec{title: "Go", kind: "book", lang: "en", authors: []string{b.ID, a.ID},
			tags: []string{"Zeta", "alpha"}})
		got, err := st.Media(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.AuthorIDs, []string{b.ID, a.ID}) || !slices.Equal(got.Tags, []string{"zeta", "alpha"}) ||
			got.Title != "Go" || got.Language != "en" || got.PublishedAt != nil {
			t.Fatalf("read back %+v", got)
		}
		title := "Go, 2nd edition"
		status := domain.MediaPublished
		updated, err := st.UpdateMedia(ctx, m.ID, nil, nil, func(m *domain.Media, refs domain.References) error {
			return m.Update(owner, domain.MediaFields{Title: &title, Status: &status, Tags: &[]string{}}, refs, testLimits, 1, testNow())
		})
		if err != nil || updated.Version != 2 || updated.PublishedAt == nil {
			t.Fatalf("update: %+v, %v", updated, err)
		}
		got, _ = st.Media(ctx, m.ID)
		if got.Title != title || got.Status != status || len(got.Tags) != 0 || got.PublishedAt == nil {
			t.Fatalf("after update %+v", got)
		}
		if err := st.SaveMedia(ctx, m, 1); errs.KindOf(err) != errs.PreconditionFailed {
			t.Fatalf("stale save: %v", err)
		}
		if err := st.PurgeMedia(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if err := st.PurgeMedia(ctx, m.ID); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("second purge: %v", err)
		}
	})
}

func TestStoreCategories(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		mod := domain.Actor{UserID: domain.NewID(), Moderator: true}
		mk := func(name string, parent string) domain.Category {
			c, err := domain.NewCategory(mod, domain.CategoryFields{Name: &name, ParentID: &parent}, testNow())
			if err != nil {
				t.Fatal(err)
			}
			if err := st.CreateCategory(ctx, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		root := mk("Science", "")
		child := mk("Physics", root.ID)
		grand := mk("Optics", child.ID)
		dup, _ := domain.NewCategory(mod, domain.CategoryFields{Name: ptrTo("science")}, testNow())
		if err := st.CreateCategory(ctx, dup); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("duplicate slug: %v", err)
		}
		anc, err := st.Ancestors(ctx, grand.ID)
		if err != nil || !slices.Equal(anc, []string{grand.ID, child.ID, root.ID}) {
			t.Fatalf("ancestors %v, %v", anc, err)
		}
		if err := root.CheckParent(anc); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("cycle: %v", err)
		}
		if n, err := st.ActiveChildren(ctx, root.ID); err != nil || n != 1 {
			t.Fatalf("children %d, %v", n, err)
		}
		if err := st.PurgeCategory(ctx, root.ID, testNow()); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("purging a parent: %v", err)
		}
		if err := st.PurgeCategory(ctx, grand.ID, testNow()); err != nil {
			t.Fatal(err)
		}
	})
}

func ptrTo[T any](v T) *T { return &v }

func TestStoreCategoryListPaginates(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		mod := domain.Actor{UserID: domain.NewID(), Moderator: true}
		var want []string
		root := ""
		for i := range 11 {
			name := fmt.Sprintf("Cat %c", 'k'-i)
			c, _ := domain.NewCategory(mod, domain.CategoryFields{Name: &name, ParentID: &root}, testNow())
			if err := st.CreateCategory(ctx, c); err != nil {
				t.Fatal(err)
			}
			want = append(want, c.Slug)
		}
		slices.Sort(want)
		for _, order := range []string{"slug", "name"} {
			var got []string
			var after *position
			for pages := 0; ; pages++ {
				items, next, err := st.ListCategories(ctx, CategoryQuery{ParentID: "root", Order: categoryOrders[order], After: after, Size: 4})
				if err != nil || pages > 5 {
					t.Fatalf("page %d: %v", pages, err)
				}
				for _, c := range items {
					got = append(got, c.Slug)
				}
				if next == "" {
					break
				}
				if after, err = decodePosition(next, categoryOrders[order]); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("order %s: got %v, want %v", order, got, want)
			}
		}
	})
}

func TestStoreAuthorList(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		alice, bob := newUser(true), newUser(true)
		var all []domain.Author
		for i := range 9 {
			owner := alice
			if i%3 == 0 {
				owner = bob
			}
			all = append(all, mustAuthor(t, st, owner, fmt.Sprintf("Writer %c%d", 'i'-i, i)))
		}
		removed := all[4]
		if _, err := st.UpdateAuthor(ctx, removed.ID, func(a *domain.Author) error { return a.Remove(alice, testNow()) }); err != nil {
			t.Fatal(err)
		}
		list := func(q AuthorQuery, order string) []string {
			var ids []string
			q.Order, q.Size = authorOrders[order], 2
			for {
				items, next, err := st.ListAuthors(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range items {
					ids = append(ids, a.ID)
				}
				if next == "" {
					return ids
				}
				if q.After, err = decodePosition(next, q.Order); err != nil {
					t.Fatal(err)
				}
			}
		}
		var active, bobs []string
		for _, a := range all {
			if a.ID != removed.ID {
				active = append(active, a.ID)
				if a.RoleOf(bob.UserID) != "" {
					bobs = append(bobs, a.ID)
				}
			}
		}
		if got := list(AuthorQuery{}, "oldest"); !slices.Equal(got, active) {
			t.Fatalf("oldest: %v, want %v", got, active)
		}
		if got := list(AuthorQuery{}, "newest"); !slices.Equal(got, reversed(active)) {
			t.Fatalf("newest: %v", got)
		}
		if got := list(AuthorQuery{MemberID: bob.UserID, Actor: bob}, "oldest"); !slices.Equal(got, bobs) {
			t.Fatalf("member filter: %v, want %v", got, bobs)
		}
		// Memberships are the members' and moderators' business.
		if got := list(AuthorQuery{MemberID: bob.UserID, Actor: domain.Actor{UserID: domain.NewID(), Moderator: true}}, "oldest"); !slices.Equal(got, bobs) {
			t.Fatalf("member filter for a moderator: %v, want %v", got, bobs)
		}
		if got := list(AuthorQuery{MemberID: bob.UserID}, "oldest"); len(got) != 0 {
			t.Fatalf("member filter for anonymous: %v, want none", got)
		}
		if got := list(AuthorQuery{MemberID: bob.UserID, Actor: alice}, "oldest"); len(got) != 0 {
			t.Fatalf("member filter for someone sharing no author: %v, want none", got)
		}
		if got := list(AuthorQuery{Name: "WRITER F"}, "name"); !slices.Equal(got, []string{all[3].ID}) {
			t.Fatalf("name filter: %v", got)
		}
		if got := list(AuthorQuery{}, "name"); len(got) != 8 || got[0] != all[8].ID {
			t.Fatalf("by name: %v", got)
		}
		if got := list(AuthorQuery{Status: domain.StatusRemoved, Actor: bob}, "newest"); len(got) != 0 {
			t.Fatalf("non-member sees removed: %v", got)
		}
		if got := list(AuthorQuery{Status: domain.StatusRemoved, Actor: alice}, "newest"); !slices.Equal(got, []string{removed.ID}) {
			t.Fatalf("member's removed: %v", got)
		}
	})
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func TestPageTokenIsTiedToItsOrder(t *testing.T) {
	t.Parallel()
	token := nextTokenFor(t, mediaOrders["title"])
	if _, err := decodePosition(token, mediaOrders["newest"]); errs.KindOf(err) != errs.Invalid {
		t.Fatalf("title token used for newest: %v", err)
	}
	if _, err := decodePosition("garbage!", mediaOrders["newest"]); errs.KindOf(err) != errs.Invalid {
		t.Fatalf("garbage token: %v", err)
	}
	if p, err := decodePosition(token, mediaOrders["title"]); err != nil || p.Key != "k" {
		t.Fatalf("round trip: %+v, %v", p, err)
	}
}

func nextTokenFor(t *testing.T, spec sortSpec) string {
	t.Helper()
	token, n := nextToken(spec, 3, 2, func(int) (string, string) { return "k", domain.NewID() })
	if token == "" || n != 2 {
		t.Fatalf("nextToken = %q, %d", token, n)
	}
	return token
}

// testNow is the time as the store keeps it.
func testNow() time.Time { return domain.Stamp(time.Now()) }
