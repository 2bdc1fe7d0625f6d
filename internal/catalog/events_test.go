package catalog

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

type outboxRow = moduletest.OutboxRow

// outbox reads the events recorded since the last call (moduletest.Outbox).
type outbox struct{ moduletest.Outbox }

func (o *outbox) next() []outboxRow { return o.Next() }

var withBrokerDown = moduletest.WithBrokerDown

// expect checks that exactly types were recorded since the last call, in
// order, each with the subject and key of its aggregate, and returns them.
func (o *outbox) expect(what string, types ...string) []outboxRow {
	o.T.Helper()
	rows := o.next()
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = r.Type
		var meta map[string]string
		var body struct {
			ID       string `json:"id"`
			AuthorID string `json:"author_id"`
		}
		if json.Unmarshal([]byte(r.Metadata), &meta) != nil || json.Unmarshal(r.Payload, &body) != nil {
			o.T.Fatalf("%s: unreadable row %+v", what, r)
		}
		key := body.ID
		if body.AuthorID != "" {
			key = body.AuthorID
		}
		if meta[bus.MetaKey] != key || meta[bus.MetaSubject] != noun(r.Type)+"/"+key || meta[bus.MetaSource] != "/alexandria/catalog" {
			o.T.Fatalf("%s: %s has metadata %v for payload %s", what, r.Type, meta, r.Payload)
		}
	}
	if !slices.Equal(got, types) && (len(got) > 0 || len(types) > 0) {
		o.T.Fatalf("%s recorded %v, want %v", what, got, types)
	}
	return rows
}

// noun is the aggregate of an event type (catalog.author.member.added.v1 is
// about an author).
func noun(typ string) string {
	for _, n := range []string{"author", "media", "category"} {
		if len(typ) > len("catalog.")+len(n) && typ[len("catalog."):len("catalog.")+len(n)] == n {
			return n
		}
	}
	return "?"
}

func TestEventsRecordedWithEachChange(t *testing.T) {
	t.Parallel()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			c := startCatalogWith(t, s, withBrokerDown)
			o := &outbox{moduletest.Outbox{T: t, DB: c.svc.db}}
			alice, bob := c.user(authorRole), c.user(readerRole)
			mod, admin := c.user(moderatorRole), c.user(adminRole)

			rows := o.next()
			if len(rows) != 0 {
				t.Fatalf("events before any change: %v", rows)
			}
			aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Alice"}).str("id")
			created := o.expect("author create", EventAuthorCreated, EventMemberAdded)
			var owner memberV1
			if err := json.Unmarshal(created[1].Payload, &owner); err != nil || owner != (memberV1{AuthorID: aid, UserID: alice, Role: "owner"}) {
				t.Fatalf("creator membership payload %s", created[1].Payload)
			}
			bid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Second"}).str("id")
			o.expect("second author", EventAuthorCreated, EventMemberAdded)
			cid := c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": "Science"}).str("id")
			o.expect("category create", EventCategoryCreated)

			ap, cp := "/v1/authors/"+aid, "/v1/categories/"+cid
			var mid, shared string
			steps := []struct {
				name   string
				status int
				method string
				path   func() string
				user   string
				body   any
				events []string
				header []string
			}{
				{"author_profile", 200, "PATCH", fixed(ap), alice, map[string]any{"bio": "Writes"}, []string{EventAuthorUpdated}, nil},
				{"author_stale_if_match_is_412", 412, "PATCH", fixed(ap), alice, map[string]any{"bio": "x"}, nil, []string{"If-Match", `"1"`}},
				{"author_invalid_link_is_422", 422, "PATCH", fixed(ap), alice, map[string]any{"links": []map[string]string{{"title": "x", "url": "ftp://x"}}}, nil, nil},
				{"author_by_stranger_is_403", 403, "PATCH", fixed(ap), bob, map[string]any{"bio": "vandal"}, nil, nil},
				{"member_add", 201, "POST", fixed(ap + "/members"), alice, map[string]any{"user_id": bob}, []string{EventMemberAdded}, nil},
				{"member_add_twice_is_409", 409, "POST", fixed(ap + "/members"), alice, map[string]any{"user_id": bob}, nil, nil},
				{"member_promoted", 200, "PATCH", fixed(ap + "/members/" + bob), alice, map[string]any{"role": "owner"}, []string{EventMemberUpdated}, nil},
				{"member_same_role_changes_nothing", 200, "PATCH", fixed(ap + "/members/" + bob), alice, map[string]any{"role": "owner"}, nil, nil},
				{"category_update", 200, "PATCH", fixed(cp), mod, map[string]any{"description": "All of it"}, []string{EventCategoryUpdated}, nil},
				{"category_second", 201, "POST", fixed("/v1/categories"), mod, map[string]any{"name": "Art"}, []string{EventCategoryCreated}, nil},
				{"category_slug_conflict_is_409", 409, "PATCH", fixed(cp), mod, map[string]any{"slug": "art"}, nil, nil},
				{"media_draft", 201, "POST", fixed("/v1/media"), alice, map[string]any{"title": "Draft", "kind": "book", "author_ids": []string{aid}, "category_ids": []string{cid}},
					[]string{EventMediaCreated}, nil},
				{"media_created_published", 201, "POST", fixed("/v1/media"), alice, map[string]any{"title": "Both", "kind": "video", "author_ids": []string{aid, bid}, "status": "published"},
					[]string{EventMediaCreated, EventMediaPublished}, nil},
				{"media_invalid_is_422", 422, "POST", fixed("/v1/media"), alice, map[string]any{"title": "X", "kind": "book", "author_ids": []string{aid}, "license": "nope"}, nil, nil},
				{"media_edit", 200, "PATCH", func() string { return "/v1/media/" + mid }, alice, map[string]any{"title": "Edited"}, []string{EventMediaUpdated}, nil},
				{"media_stale_is_412", 412, "PATCH", func() string { return "/v1/media/" + mid }, alice, map[string]any{"title": "Stale"}, nil, []string{"If-Match", `"1"`}},
				{"media_publish", 200, "PATCH", func() string { return "/v1/media/" + mid }, alice, map[string]any{"status": "published", "title": "Out"}, []string{EventMediaPublished}, nil},
				{"media_unpublish", 200, "PATCH", func() string { return "/v1/media/" + mid }, alice, map[string]any{"status": "draft"}, []string{EventMediaUpdated}, nil},
				{"media_remove", 204, "DELETE", func() string { return "/v1/media/" + mid }, alice, nil, []string{EventMediaRemoved}, nil},
				{"media_remove_again_changes_nothing", 204, "DELETE", func() string { return "/v1/media/" + mid }, alice, nil, nil, nil},
				{"media_edit_while_removed_is_409", 409, "PATCH", func() string { return "/v1/media/" + mid }, alice, map[string]any{"title": "No"}, nil, nil},
				{"media_restore", 200, "POST", func() string { return "/v1/media/" + mid + "/restore" }, mod, nil, []string{EventMediaRestored}, nil},
				{"category_remove", 204, "DELETE", fixed(cp), mod, nil, []string{EventCategoryRemoved}, nil},
				{"category_restore", 200, "POST", fixed(cp + "/restore"), mod, nil, []string{EventCategoryRestored}, nil},
				{"category_purge_uncategorises_media", 204, "DELETE", fixed("/v1/admin/categories/" + cid), admin, nil, []string{EventCategoryDeleted, EventMediaUpdated}, nil},
				{"member_remove", 204, "DELETE", fixed(ap + "/members/" + bob), alice, nil, []string{EventMemberRemoved}, nil},
				{"last_owner_cannot_leave", 409, "DELETE", fixed(ap + "/members/" + alice), alice, nil, nil, nil},
				{"author_remove", 204, "DELETE", fixed(ap), alice, nil, []string{EventAuthorRemoved}, nil},
				{"author_restore", 200, "POST", fixed(ap + "/restore"), mod, nil, []string{EventAuthorRestored}, nil},
				{"author_restore_again_is_409", 409, "POST", fixed(ap + "/restore"), mod, nil, nil, nil},
				{"media_purge_by_moderator_is_403", 403, "DELETE", func() string { return "/v1/admin/media/" + shared }, mod, nil, nil, nil},
				{"author_purge", 204, "DELETE", fixed("/v1/admin/authors/" + aid), admin, nil, []string{EventAuthorDeleted, EventMediaDeleted, EventMediaUpdated}, nil},
				{"media_purge", 204, "DELETE", func() string { return "/v1/admin/media/" + shared }, admin, nil, []string{EventMediaDeleted}, nil},
				{"media_purge_again_is_404", 404, "DELETE", func() string { return "/v1/admin/media/" + shared }, admin, nil, nil, nil},
			}
			for _, st := range steps {
				r := c.expect(st.status, st.method, st.path(), st.user, st.body, st.header...)
				o.expect(st.name, st.events...)
				switch st.name {
				case "media_draft":
					mid = r.str("id")
				case "media_created_published":
					shared = r.str("id")
				}
			}
		})
	}
}

func fixed(path string) func() string { return func() string { return path } }

func TestAuthorEvents(t *testing.T) {
	t.Parallel()
	now := testNow()
	owner, other := domain.AuthorMember{UserID: "u1", Role: "owner"}, domain.AuthorMember{UserID: "u2", Role: "member"}
	base := domain.Author{ID: "a", Name: "A", Status: domain.StatusActive, Members: []domain.AuthorMember{owner, other}, Version: 3}
	tests := []struct {
		name   string
		change func(a *domain.Author)
		want   []string
	}{
		{"no_version_change_no_event", func(a *domain.Author) { a.Name = "B" }, nil},
		{"profile", func(a *domain.Author) { a.Bio, a.Version = "x", 4 }, []string{EventAuthorUpdated}},
		{"member_left", func(a *domain.Author) { a.Members, a.Version = a.Members[:1], 4 }, []string{EventMemberRemoved}},
		{"member_role", func(a *domain.Author) {
			a.Members = []domain.AuthorMember{owner, {UserID: "u2", Role: "owner"}}
			a.Version = 4
		}, []string{EventMemberUpdated}},
		{"sole_owner_deleted", func(a *domain.Author) { a.DropDeletedUser("u1", now) }, []string{EventMemberRemoved, EventAuthorRemoved}},
		{"removed", func(a *domain.Author) { a.Status, a.Version = domain.StatusRemoved, 4 }, []string{EventAuthorRemoved}},
		{"unnamed_change_is_an_update", func(a *domain.Author) { a.Version = 4 }, []string{EventAuthorUpdated}},
	}
	for _, tt := range tests {
		after := base
		after.Members = slices.Clone(base.Members)
		tt.change(&after)
		var got []string
		for _, e := range authorEvents(base, after) {
			got = append(got, e.typ)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMediaEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to string
		want     string
	}{
		{"edit", domain.MediaDraft, domain.MediaDraft, EventMediaUpdated},
		{"publish", domain.MediaDraft, domain.MediaPublished, EventMediaPublished},
		{"unpublish", domain.MediaPublished, domain.MediaDraft, EventMediaUpdated},
		{"edit_published", domain.MediaPublished, domain.MediaPublished, EventMediaUpdated},
		{"remove", domain.MediaPublished, domain.MediaRemoved, EventMediaRemoved},
		{"restore_to_published_is_a_restore", domain.MediaRemoved, domain.MediaPublished, EventMediaRestored},
		{"cause_moved_while_removed", domain.MediaRemoved, domain.MediaRemoved, EventMediaUpdated},
	}
	for _, tt := range tests {
		evs := mediaEvents(domain.Media{ID: "m", Status: tt.from, Version: 1}, domain.Media{ID: "m", Status: tt.to, Version: 2})
		if len(evs) != 1 || evs[0].typ != tt.want {
			t.Errorf("%s: %v, want %s", tt.name, evs, tt.want)
		}
	}
	if evs := mediaEvents(domain.Media{Version: 2}, domain.Media{Version: 2}); len(evs) != 0 {
		t.Errorf("unchanged media recorded %v", evs)
	}
}

// eventually is testkit.Eventually.
var eventually = testkit.Eventually
