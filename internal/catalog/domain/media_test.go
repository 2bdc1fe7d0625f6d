package domain

import (
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

func TestMediaRules(t *testing.T) {
	t.Parallel()
	active := testAuthor(StatusActive)
	other := Author{ID: NewID(), Status: StatusActive, Members: []AuthorMember{{UserID: stranger.UserID, Role: RoleOwner}}}
	refs := References{Authors: map[string]Author{active.ID: active, other.ID: other}, Categories: map[string]bool{}}
	create := func(actor Actor, ids ...string) error {
		_, err := NewMedia(actor, MediaFields{Title: ptr("T"), Kind: ptr(KindBook), AuthorIDs: &ids}, refs, limits, t0)
		return err
	}
	update := func(status string, actor Actor, f MediaFields) error {
		m, authors := testMedia(status, active)
		r := refs
		r.Authors = map[string]Author{active.ID: authors[active.ID], other.ID: other}
		return m.Update(actor, f, r, limits, 0, t0)
	}
	tests := []struct {
		name string
		run  func() error
		want errs.Kind
	}{
		{"member_creates_media", func() error { return create(member, active.ID) }, ok},
		{"non_member_cannot_create_media", func() error { return create(stranger, active.ID) }, errs.Forbidden},
		{"member_of_one_author_only_cannot_credit_both", func() error { return create(member, active.ID, other.ID) }, errs.Forbidden},
		{"unknown_author_is_invalid", func() error { return create(member, NewID()) }, errs.Invalid},
		{"no_author_is_invalid", func() error { return create(member) }, errs.Invalid},
		{"too_many_authors_is_invalid", func() error { return create(member, active.ID, NewID(), NewID(), NewID()) }, errs.Invalid},
		{"member_can_publish", func() error { return update(MediaDraft, member, MediaFields{Status: ptr(MediaPublished)}) }, ok},
		{"member_can_unpublish", func() error { return update(MediaPublished, owner, MediaFields{Status: ptr(MediaDraft)}) }, ok},
		{"non_member_cannot_update_media", func() error { return update(MediaPublished, stranger, MediaFields{Title: ptr("x")}) }, errs.Forbidden},
		{"non_member_cannot_see_draft", func() error { return update(MediaDraft, stranger, MediaFields{Title: ptr("x")}) }, errs.NotFound},
		{"moderator_cannot_edit_media", func() error { return update(MediaPublished, moderator, MediaFields{Title: ptr("x")}) }, errs.Forbidden},
		{"kind_is_immutable", func() error { return update(MediaDraft, member, MediaFields{Kind: ptr(KindVideo)}) }, errs.Invalid},
		{"member_cannot_set_processing", func() error { return update(MediaDraft, member, MediaFields{Status: ptr(MediaProcessing)}) }, errs.Invalid},
		{"editing_removed_media_conflicts", func() error { return update(MediaRemoved, member, MediaFields{Title: ptr("x")}) }, errs.Conflict},
		{"adding_foreign_author_is_forbidden", func() error {
			return update(MediaDraft, member, MediaFields{AuthorIDs: &[]string{active.ID, other.ID}})
		}, errs.Forbidden},
		{"removed_category_is_invalid", func() error {
			return update(MediaDraft, member, MediaFields{CategoryIDs: &[]string{NewID()}})
		}, errs.Invalid},
		{"member_removes_media", func() error { m, a := testMedia(MediaPublished, active); return m.Remove(member, a, t0) }, ok},
		{"non_member_cannot_remove_media", func() error { m, a := testMedia(MediaPublished, active); return m.Remove(stranger, a, t0) }, errs.Forbidden},
		{"moderator_removes_media", func() error { m, a := testMedia(MediaDraft, active); return m.Remove(moderator, a, t0) }, ok},
		{"moderator_restores", func() error {
			m, a := testMedia(MediaRemoved, active)
			m.PreviousStatus = MediaPublished
			return m.Restore(moderator, a, t0)
		}, ok},
		{"member_cannot_restore", func() error { m, a := testMedia(MediaRemoved, active); return m.Restore(member, a, t0) }, errs.Forbidden},
		{"stranger_cannot_see_removed", func() error { m, a := testMedia(MediaRemoved, active); return m.Restore(stranger, a, t0) }, errs.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := kindOf(tt.run()); got != tt.want {
				t.Fatalf("got kind %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMediaVisibility(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		status       string
		authorStatus string
		actor        Actor
		want         bool
	}{
		{"anonymous_sees_published", MediaPublished, StatusActive, anonymous, true},
		{"anonymous_does_not_see_draft", MediaDraft, StatusActive, anonymous, false},
		{"stranger_does_not_see_removed", MediaRemoved, StatusActive, stranger, false},
		{"published_of_removed_author_is_hidden", MediaPublished, StatusRemoved, stranger, false},
		{"member_sees_draft", MediaDraft, StatusActive, member, true},
		{"member_sees_media_of_removed_author", MediaPublished, StatusRemoved, member, true},
		{"moderator_sees_removed", MediaRemoved, StatusRemoved, moderator, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, authors := testMedia(tt.status, testAuthor(tt.authorStatus))
			if got := m.VisibleTo(tt.actor, authors); got != tt.want {
				t.Fatalf("VisibleTo = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRestoreReturnsPreviousStatus(t *testing.T) {
	t.Parallel()
	m, authors := testMedia(MediaPublished, testAuthor(StatusActive))
	if err := m.Remove(member, authors, t0); err != nil {
		t.Fatal(err)
	}
	if err := m.Restore(moderator, authors, t0); err != nil {
		t.Fatal(err)
	}
	if m.Status != MediaPublished || m.Version != 4 {
		t.Fatalf("status %s version %d, want published 4", m.Status, m.Version)
	}
}

func TestPublishingStampsPublishedAt(t *testing.T) {
	t.Parallel()
	m, authors := testMedia(MediaDraft, testAuthor(StatusActive))
	refs := References{Authors: authors}
	if err := m.Update(member, MediaFields{Status: ptr(MediaPublished)}, refs, limits, 2, t0); err != nil {
		t.Fatal(err)
	}
	if m.PublishedAt == nil || !m.PublishedAt.Equal(t0) {
		t.Fatalf("published_at = %v, want %v", m.PublishedAt, t0)
	}
}

// TestCreditChanges: changing author_ids needs membership of every author
// added and every author removed; moderators may change any credit.
func TestCreditChanges(t *testing.T) {
	t.Parallel()
	mine := Author{ID: NewID(), Status: StatusActive, Members: []AuthorMember{{UserID: member.UserID, Role: RoleOwner}}}
	theirs := Author{ID: NewID(), Status: StatusActive, Members: []AuthorMember{{UserID: stranger.UserID, Role: RoleOwner}}}
	both := Author{ID: NewID(), Status: StatusActive, Members: []AuthorMember{
		{UserID: member.UserID, Role: RoleOwner}, {UserID: stranger.UserID, Role: RoleMember}}}
	refs := References{Authors: map[string]Author{mine.ID: mine, theirs.ID: theirs, both.ID: both}}
	tests := []struct {
		name   string
		actor  Actor
		before []string
		after  []string
		want   errs.Kind
	}{
		{"member_of_one_coauthor_cannot_drop_the_other", member, []string{mine.ID, theirs.ID}, []string{mine.ID}, errs.Forbidden},
		{"member_of_one_coauthor_cannot_replace_the_other", member, []string{mine.ID, theirs.ID}, []string{mine.ID, both.ID}, errs.Forbidden},
		{"member_of_both_drops_one", member, []string{mine.ID, both.ID}, []string{mine.ID}, ok},
		{"member_adds_own_author", member, []string{mine.ID}, []string{mine.ID, both.ID}, ok},
		{"member_cannot_add_foreign_author", member, []string{mine.ID}, []string{mine.ID, theirs.ID}, errs.Forbidden},
		{"reordering_is_no_change_of_authors", member, []string{mine.ID, theirs.ID}, []string{theirs.ID, mine.ID}, ok},
		{"moderator_member_changes_any_credit", Actor{UserID: member.UserID, Moderator: true}, []string{mine.ID, theirs.ID}, []string{mine.ID}, ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := Media{ID: NewID(), Title: "T", Kind: KindBook, Status: MediaDraft, AuthorIDs: tt.before, Version: 1}
			after := append([]string{}, tt.after...)
			err := m.Update(tt.actor, MediaFields{AuthorIDs: &after}, refs, limits, 0, t0)
			if got := kindOf(err); got != tt.want {
				t.Fatalf("got kind %v (%v), want %v", got, err, tt.want)
			}
		})
	}
}
