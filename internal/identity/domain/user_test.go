package domain

import (
	"slices"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

func TestNormalizeRoles(t *testing.T) {
	t.Parallel()
	got, reason := NormalizeRoles([]string{"admin", "author", "admin"})
	if reason != "" || !slices.Equal(got, []string{"reader", "author", "admin"}) {
		t.Fatalf("reader_is_always_kept_in_canonical_order: %v %q", got, reason)
	}
	if _, reason := NormalizeRoles([]string{"root"}); reason == "" {
		t.Fatal("unknown_role_refused: accepted")
	}
}

func TestUserApply(t *testing.T) {
	t.Parallel()
	yes, no, name := true, false, "New Name"
	admin := User{DisplayName: "Old", Roles: []string{"reader", "admin"}}
	cases := []struct {
		name    string
		user    User
		change  Change
		self    bool
		refused bool // with a conflict, leaving the user as it was
		want    User
	}{
		{"admin_demotes_another_admin", admin, Change{Roles: []string{"reader"}}, false, false,
			User{DisplayName: "Old", Roles: []string{"reader"}}},
		{"admin_cannot_remove_own_admin_role", admin, Change{Roles: []string{"reader", "author"}}, true, true, admin},
		{"admin_keeps_own_admin_role_while_adding_another", admin, Change{Roles: []string{"reader", "author", "admin"}}, true, false,
			User{DisplayName: "Old", Roles: []string{"reader", "author", "admin"}}},
		{"nobody_suspends_themself", admin, Change{Suspended: &yes}, true, true, admin},
		{"admin_suspends_another", admin, Change{Suspended: &yes}, false, false,
			User{DisplayName: "Old", Roles: admin.Roles, Suspended: true}},
		{"reinstating_oneself_is_no_suspension", admin, Change{Suspended: &no}, true, false, admin},
		{"display_name_changes_alone", admin, Change{DisplayName: &name}, true, false,
			User{DisplayName: "New Name", Roles: admin.Roles}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			u := c.user
			u.Roles = slices.Clone(c.user.Roles)
			err := u.Apply(c.change, c.self)
			switch {
			case c.refused && errs.KindOf(err) != errs.Conflict:
				t.Fatalf("Apply = %v, want a conflict", err)
			case !c.refused && err != nil:
				t.Fatalf("Apply = %v", err)
			}
			if u.DisplayName != c.want.DisplayName || !slices.Equal(u.Roles, c.want.Roles) || u.Suspended != c.want.Suspended {
				t.Fatalf("after Apply: %+v, want %+v", u, c.want)
			}
		})
	}
}

func TestPromoteMakesAnActiveAdministrator(t *testing.T) {
	t.Parallel()
	u := User{Roles: []string{"reader", "author"}, Suspended: true, PasswordHash: "old"}
	u.Promote("new")
	if !u.IsAdmin() || u.Suspended || u.PasswordHash != "new" || !slices.Equal(u.Roles, []string{"reader", "author", "admin"}) {
		t.Fatalf("after Promote: %+v", u)
	}
}

func TestCheckSuspender(t *testing.T) {
	t.Parallel()
	reader := User{Roles: []string{auth.RoleReader}}
	author := User{Roles: []string{auth.RoleReader, auth.RoleAuthor}}
	moderator := User{Roles: []string{auth.RoleReader, auth.RoleModerator}}
	admin := User{Roles: []string{auth.RoleReader, auth.RoleAdmin}}
	for _, c := range []struct {
		name           string
		target         User
		isAdmin, isMod bool
		allowed        bool
	}{
		{"moderator_reader", reader, false, true, true},
		{"moderator_author", author, false, true, true},
		{"moderator_moderator", moderator, false, true, false},
		{"moderator_admin", admin, false, true, false},
		{"admin_moderator", moderator, true, true, true},
		{"admin_admin", admin, true, true, true},
		{"reader_reader", reader, false, false, false},
	} {
		err := c.target.CheckSuspender(c.isAdmin, c.isMod)
		if c.allowed && err != nil || !c.allowed && errs.KindOf(err) != errs.Forbidden {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
}
