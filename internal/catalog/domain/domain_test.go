package domain

import (
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

var (
	t0        = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	limits    = Limits{MaxTagsPerMedia: 5, MaxAuthorsPerMedia: 3, MaxMembersPerAuthor: 3}
	owner     = Actor{UserID: "0190a000-0000-7000-8000-000000000001", Author: true}
	member    = Actor{UserID: "0190a000-0000-7000-8000-000000000002", Author: true}
	stranger  = Actor{UserID: "0190a000-0000-7000-8000-000000000003", Author: true}
	moderator = Actor{UserID: "0190a000-0000-7000-8000-000000000004", Moderator: true}
	admin     = Actor{UserID: "0190a000-0000-7000-8000-000000000005", Moderator: true, Admin: true, Author: true}
	anonymous = Actor{}
)

func ptr[T any](v T) *T { return &v }

// kindOf returns the error kind, with -1 for no error.
func kindOf(err error) errs.Kind {
	if err == nil {
		return -1
	}
	return errs.KindOf(err)
}

const ok errs.Kind = -1

func testAuthor(status string) Author {
	return Author{ID: NewID(), Name: "A", Status: status, Version: 3, Members: []AuthorMember{
		{UserID: owner.UserID, Role: RoleOwner}, {UserID: member.UserID, Role: RoleMember}}}
}

func testMedia(status string, a Author) (Media, map[string]Author) {
	return Media{ID: NewID(), Title: "T", Kind: KindBook, Status: status, AuthorIDs: []string{a.ID}, Version: 2},
		map[string]Author{a.ID: a}
}

func TestAuthorRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func() error
		want errs.Kind
	}{
		{"author_role_creates_author", func() error { _, err := NewAuthor(owner, AuthorProfile{Name: ptr("Ann")}, t0); return err }, ok},
		{"reader_cannot_create_author", func() error {
			_, err := NewAuthor(Actor{UserID: stranger.UserID}, AuthorProfile{Name: ptr("Ann")}, t0)
			return err
		}, errs.Forbidden},
		{"anonymous_cannot_create_author", func() error { _, err := NewAuthor(anonymous, AuthorProfile{Name: ptr("A")}, t0); return err }, errs.Unauthenticated},
		{"empty_name_is_invalid", func() error { _, err := NewAuthor(owner, AuthorProfile{Name: ptr("  ")}, t0); return err }, errs.Invalid},
		{"relative_link_is_invalid", func() error {
			_, err := NewAuthor(owner, AuthorProfile{Name: ptr("A"), Links: &[]AuthorLink{{Title: "x", URL: "/home"}}}, t0)
			return err
		}, errs.Invalid},
		{"owner_updates_profile", func() error {
			a := testAuthor(StatusActive)
			return a.UpdateProfile(owner, AuthorProfile{Bio: ptr("b")}, 0, t0)
		}, ok},
		{"plain_member_cannot_update_profile", func() error {
			a := testAuthor(StatusActive)
			return a.UpdateProfile(member, AuthorProfile{Bio: ptr("b")}, 0, t0)
		}, errs.Forbidden},
		{"moderator_updates_any_profile", func() error {
			a := testAuthor(StatusActive)
			return a.UpdateProfile(moderator, AuthorProfile{Bio: ptr("b")}, 0, t0)
		}, ok},
		{"non_member_cannot_update_author", func() error { a := testAuthor(StatusActive); return a.UpdateProfile(stranger, AuthorProfile{}, 0, t0) }, errs.Forbidden},
		{"stale_version_is_precondition_failed", func() error { a := testAuthor(StatusActive); return a.UpdateProfile(owner, AuthorProfile{}, 2, t0) }, errs.PreconditionFailed},
		{"removed_author_hidden_from_stranger", func() error { a := testAuthor(StatusRemoved); return a.UpdateProfile(stranger, AuthorProfile{}, 0, t0) }, errs.NotFound},
		{"owner_removes_author", func() error { a := testAuthor(StatusActive); return a.Remove(owner, t0) }, ok},
		{"plain_member_cannot_remove_author", func() error { a := testAuthor(StatusActive); return a.Remove(member, t0) }, errs.Forbidden},
		{"stranger_cannot_remove_author", func() error { a := testAuthor(StatusActive); return a.Remove(stranger, t0) }, errs.Forbidden},
		{"editing_removed_author_conflicts", func() error {
			a := testAuthor(StatusRemoved)
			return a.UpdateProfile(owner, AuthorProfile{Bio: ptr("b")}, 0, t0)
		}, errs.Conflict},
		{"moderator_cannot_edit_removed_author_either", func() error {
			a := testAuthor(StatusRemoved)
			a.Members = append(a.Members, AuthorMember{UserID: moderator.UserID, Role: RoleMember})
			return a.UpdateProfile(moderator, AuthorProfile{Bio: ptr("b")}, 0, t0)
		}, errs.Conflict},
		{"moderator_removes_author", func() error { a := testAuthor(StatusActive); return a.Remove(moderator, t0) }, ok},
		{"moderator_restores_author", func() error { a := testAuthor(StatusRemoved); return a.Restore(moderator, t0) }, ok},
		{"owner_restores_what_an_owner_removed", func() error {
			a := testAuthor(StatusActive)
			if err := a.Remove(owner, t0); err != nil {
				return err
			}
			return a.Restore(owner, t0)
		}, ok},
		{"member_cannot_restore_what_an_owner_removed", func() error {
			a := testAuthor(StatusActive)
			if err := a.Remove(owner, t0); err != nil {
				return err
			}
			return a.Restore(member, t0)
		}, errs.Forbidden},
		{"owner_cannot_restore_what_a_moderator_removed", func() error {
			a := testAuthor(StatusActive)
			if err := a.Remove(moderator, t0); err != nil {
				return err
			}
			return a.Restore(owner, t0)
		}, errs.Forbidden},
		{"owner_cannot_restore_an_author_removed_before_removals_were_recorded", func() error {
			a := testAuthor(StatusRemoved)
			return a.Restore(owner, t0)
		}, errs.Forbidden},
		{"owner_cannot_restore_an_author_its_sole_owners_deletion_removed", func() error {
			a := testAuthor(StatusActive)
			a.Members = append(a.Members, AuthorMember{UserID: stranger.UserID, Role: RoleMember})
			a.DropDeletedUser(owner.UserID, t0)
			a.Members = append(a.Members, AuthorMember{UserID: owner.UserID, Role: RoleOwner})
			return a.Restore(owner, t0)
		}, errs.Forbidden},
		{"restoring_active_author_conflicts", func() error { a := testAuthor(StatusActive); return a.Restore(moderator, t0) }, errs.Conflict},
		{"owner_adds_member", func() error {
			a := testAuthor(StatusActive)
			_, err := a.AddMember(owner, stranger.UserID, RoleMember, 3, t0)
			return err
		}, ok},
		{"member_cannot_add_members", func() error {
			a := testAuthor(StatusActive)
			_, err := a.AddMember(member, stranger.UserID, RoleMember, 3, t0)
			return err
		}, errs.Forbidden},
		{"adding_existing_member_conflicts", func() error {
			a := testAuthor(StatusActive)
			_, err := a.AddMember(owner, member.UserID, RoleMember, 3, t0)
			return err
		}, errs.Conflict},
		{"member_limit_conflicts", func() error {
			a := testAuthor(StatusActive)
			_, err := a.AddMember(owner, stranger.UserID, RoleMember, 2, t0)
			return err
		}, errs.Conflict},
		{"bad_user_id_is_invalid", func() error {
			a := testAuthor(StatusActive)
			_, err := a.AddMember(owner, "nope", RoleMember, 3, t0)
			return err
		}, errs.Invalid},
		{"last_owner_cannot_be_demoted", func() error {
			a := testAuthor(StatusActive)
			_, err := a.SetMemberRole(owner, owner.UserID, RoleMember, t0)
			return err
		}, errs.Conflict},
		{"last_owner_cannot_be_removed", func() error { a := testAuthor(StatusActive); return a.RemoveMember(owner, owner.UserID, t0) }, errs.Conflict},
		{"member_removes_themself", func() error { a := testAuthor(StatusActive); return a.RemoveMember(member, member.UserID, t0) }, ok},
		{"member_cannot_remove_owner", func() error { a := testAuthor(StatusActive); return a.RemoveMember(member, owner.UserID, t0) }, errs.Forbidden},
		{"moderator_adds_member_to_any_author", func() error {
			a := testAuthor(StatusActive)
			_, err := a.AddMember(moderator, stranger.UserID, RoleOwner, 3, t0)
			return err
		}, ok},
		{"admin_adds_owner_to_ownerless_removed_author", func() error {
			a := testAuthor(StatusRemoved)
			a.Members = nil
			_, err := a.AddMember(admin, stranger.UserID, RoleOwner, 3, t0)
			return err
		}, ok},
		{"moderator_changes_roles", func() error {
			a := testAuthor(StatusActive)
			_, err := a.SetMemberRole(moderator, member.UserID, RoleOwner, t0)
			return err
		}, ok},
		{"moderator_removes_member", func() error { a := testAuthor(StatusActive); return a.RemoveMember(moderator, member.UserID, t0) }, ok},
		{"moderator_cannot_remove_last_owner", func() error { a := testAuthor(StatusActive); return a.RemoveMember(moderator, owner.UserID, t0) }, errs.Conflict},
		{"stranger_cannot_add_members", func() error {
			a := testAuthor(StatusActive)
			_, err := a.AddMember(stranger, stranger.UserID, RoleOwner, 3, t0)
			return err
		}, errs.Forbidden},
		{"admin_purges", func() error { return CanPurge(admin) }, ok},
		{"moderator_cannot_purge", func() error { return CanPurge(moderator) }, errs.Forbidden},
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

func TestMemberChangesBumpVersion(t *testing.T) {
	t.Parallel()
	a := testAuthor(StatusActive)
	if _, err := a.AddMember(owner, stranger.UserID, RoleOwner, 5, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetMemberRole(owner, owner.UserID, RoleMember, t0); err != nil {
		t.Fatalf("demoting an owner when another owner remains: %v", err)
	}
	if a.Version != 5 || len(a.Members) != 3 {
		t.Fatalf("version %d members %d, want 5 and 3", a.Version, len(a.Members))
	}
}

func TestMembersVisibility(t *testing.T) {
	t.Parallel()
	a := testAuthor(StatusActive)
	for _, tt := range []struct {
		name  string
		actor Actor
		want  bool
	}{
		{"member_sees_members", member, true},
		{"owner_sees_members", owner, true},
		{"moderator_sees_members", moderator, true},
		{"stranger_does_not", stranger, false},
		{"anonymous_does_not", anonymous, false},
	} {
		if got := a.MembersVisibleTo(tt.actor); got != tt.want {
			t.Errorf("%s: MembersVisibleTo = %v, want %v", tt.name, got, tt.want)
		}
	}
}
