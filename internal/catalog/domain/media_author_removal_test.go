package domain

import (
	"slices"
	"testing"
)

func TestMediaFollowsItsAuthors(t *testing.T) {
	t.Parallel()
	now := t0
	a, b := NewID(), NewID()
	active := Author{ID: a, Status: StatusActive}
	removedB := Author{ID: b, Status: StatusRemoved}
	item := func(status, removedBy string, authors ...string) Media {
		return Media{ID: NewID(), Status: status, PreviousStatus: MediaPublished, RemovedBy: removedBy, AuthorIDs: authors, Version: 1}
	}
	tests := []struct {
		name        string
		m           Media
		apply       func(m *Media) bool
		changed     bool
		status, by  string
		wantVersion int64
	}{
		{"author_removal_removes_and_remembers", item(MediaPublished, "", a), func(m *Media) bool { return m.RemoveWithAuthor(a, now) },
			true, MediaRemoved, a, 2},
		{"already_removed_keeps_its_cause", item(MediaRemoved, "", a), func(m *Media) bool { return m.RemoveWithAuthor(a, now) },
			false, MediaRemoved, "", 1},
		{"other_authors_media_untouched", item(MediaDraft, "", b), func(m *Media) bool { return m.RemoveWithAuthor(a, now) },
			false, MediaDraft, "", 1},
		{"author_restore_restores_previous_status", item(MediaRemoved, a, a), func(m *Media) bool {
			return m.RestoreWithAuthor(a, map[string]Author{a: active}, now)
		}, true, MediaPublished, "", 2},
		{"restore_leaves_media_removed_on_their_own", item(MediaRemoved, "", a), func(m *Media) bool {
			return m.RestoreWithAuthor(a, map[string]Author{a: active}, now)
		}, false, MediaRemoved, "", 1},
		{"restore_hands_the_cause_to_a_still_removed_author", item(MediaRemoved, a, a, b), func(m *Media) bool {
			return m.RestoreWithAuthor(a, map[string]Author{a: active, b: removedB}, now)
		}, true, MediaRemoved, b, 2},
		{"restore_twice_changes_nothing", item(MediaPublished, "", a), func(m *Media) bool {
			return m.RestoreWithAuthor(a, map[string]Author{a: active}, now)
		}, false, MediaPublished, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := tt.m
			if got := tt.apply(&m); got != tt.changed || m.Status != tt.status || m.RemovedBy != tt.by || m.Version != tt.wantVersion {
				t.Fatalf("changed=%v status=%s removed_by=%q version=%d", got, m.Status, m.RemovedBy, m.Version)
			}
		})
	}
}

func TestRemoveAndRestoreClearTheAuthorCause(t *testing.T) {
	t.Parallel()
	mod := Actor{UserID: NewID(), Moderator: true}
	a := NewID()
	m := Media{ID: NewID(), Status: MediaRemoved, PreviousStatus: MediaDraft, RemovedBy: a, AuthorIDs: []string{a}, Version: 1}
	if err := m.Restore(mod, map[string]Author{a: {ID: a, Status: StatusActive}}, t0); err != nil || m.RemovedBy != "" {
		t.Fatalf("moderator restore: %v, removed_by %q", err, m.RemovedBy)
	}
}

func TestDropDeletedUser(t *testing.T) {
	t.Parallel()
	now := t0
	author := func(members ...AuthorMember) Author {
		return Author{ID: NewID(), Status: StatusActive, Members: members, Version: 1}
	}
	owner := func(id string) AuthorMember { return AuthorMember{UserID: id, Role: RoleOwner} }
	member := func(id string) AuthorMember { return AuthorMember{UserID: id, Role: RoleMember} }
	tests := []struct {
		name    string
		a       Author
		changed bool
		status  string
		left    []string
	}{
		{"sole_owner_removes_the_author", author(owner("u"), member("m")), true, StatusRemoved, []string{"m"}},
		{"co_owned_author_stays", author(owner("u"), owner("o")), true, StatusActive, []string{"o"}},
		{"plain_member_just_leaves", author(owner("o"), member("u")), true, StatusActive, []string{"o"}},
		{"non_member_changes_nothing", author(owner("o")), false, StatusActive, []string{"o"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := tt.a
			_, changed := a.DropDeletedUser("u", now)
			var left []string
			for _, m := range a.Members {
				left = append(left, m.UserID)
			}
			if changed != tt.changed || a.Status != tt.status || !slices.Equal(left, tt.left) {
				t.Fatalf("changed=%v status=%s members=%v", changed, a.Status, left)
			}
		})
	}
}
