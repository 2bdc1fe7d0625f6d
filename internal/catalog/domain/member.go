package domain

import (
	"slices"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// The member rules: owners manage the member list, and so do moderators
// (and admins) for any author, so an author whose owners are gone can still
// be managed; anyone may leave; an author always keeps at least one owner.

func (a *Author) requireOwner(actor Actor) error {
	if !a.VisibleTo(actor) {
		return a.notFound()
	}
	if a.RoleOf(actor.UserID) != RoleOwner && !actor.Moderator {
		return errs.Forbiddenf("only the author's owners or moderators may manage its members")
	}
	return nil
}

// CheckAddMember checks that the actor may add userID with role, before the
// caller spends a call on asking identity whether the user exists.
func (a *Author) CheckAddMember(actor Actor, userID, role string, limit int) error {
	if err := a.requireOwner(actor); err != nil {
		return err
	}
	var v errs.Validation
	v.Check(ValidID(userID), "user_id", "is not a UUID")
	v.Check(role == RoleOwner || role == RoleMember, "role", "must be owner or member")
	if err := v.Err(); err != nil {
		return err
	}
	if a.RoleOf(userID) != "" {
		return errs.Conflictf("user %s is already a member of author %s", userID, a.ID)
	}
	if len(a.Members) >= limit {
		return errs.Conflictf("author %s already has the maximum of %d members", a.ID, limit)
	}
	return nil
}

// AddMember adds userID with role (see CheckAddMember).
func (a *Author) AddMember(actor Actor, userID, role string, limit int, now time.Time) (AuthorMember, error) {
	if err := a.CheckAddMember(actor, userID, role, limit); err != nil {
		return AuthorMember{}, err
	}
	m := AuthorMember{UserID: userID, Role: role, AddedAt: now}
	a.Members = append(a.Members, m)
	a.touch(now)
	return m, nil
}

// SetMemberRole changes a member's role; owners or moderators, and never
// demoting the last owner.
func (a *Author) SetMemberRole(actor Actor, userID, role string, now time.Time) (AuthorMember, error) {
	if err := a.requireOwner(actor); err != nil {
		return AuthorMember{}, err
	}
	if role != RoleOwner && role != RoleMember {
		return AuthorMember{}, errs.InvalidField("role", "must be owner or member")
	}
	i := a.memberIndex(userID)
	if i < 0 {
		return AuthorMember{}, errs.NotFoundf("user %s is not a member of author %s", userID, a.ID)
	}
	if a.Members[i].Role == role {
		return a.Members[i], nil
	}
	if role != RoleOwner && a.owners() == 1 {
		return AuthorMember{}, errs.Conflictf("the last owner cannot be demoted; make someone else owner first")
	}
	a.Members[i].Role = role
	a.touch(now)
	return a.Members[i], nil
}

// RemoveMember removes userID: owners and moderators may remove anyone,
// members themselves, and the last owner stays.
func (a *Author) RemoveMember(actor Actor, userID string, now time.Time) error {
	if !a.VisibleTo(actor) {
		return a.notFound()
	}
	if actor.UserID != userID && a.RoleOf(actor.UserID) != RoleOwner && !actor.Moderator {
		return errs.Forbiddenf("only the author's owners or moderators may remove other members")
	}
	i := a.memberIndex(userID)
	if i < 0 {
		return errs.NotFoundf("user %s is not a member of author %s", userID, a.ID)
	}
	if a.Members[i].Role == RoleOwner && a.owners() == 1 {
		return errs.Conflictf("the last owner cannot be removed; make someone else owner first")
	}
	a.Members = slices.Delete(a.Members, i, i+1)
	a.touch(now)
	return nil
}

func (a Author) memberIndex(userID string) int {
	return slices.IndexFunc(a.Members, func(m AuthorMember) bool { return m.UserID == userID })
}

func (a Author) owners() int {
	n := 0
	for _, m := range a.Members {
		if m.Role == RoleOwner {
			n++
		}
	}
	return n
}

// CanPurge reports whether the actor may hard-delete anything: admins only.
func CanPurge(actor Actor) error {
	if err := requireSignedIn(actor); err != nil {
		return err
	}
	if !actor.Admin {
		return errs.Forbiddenf("only administrators may delete permanently")
	}
	return nil
}

// DropDeletedUser takes a deleted account off the author. When it was the
// author's only owner, nobody is left to manage the author: it is removed
// (moderators may restore it). An author with other owners stays. It
// reports whether the author changed.
func (a *Author) DropDeletedUser(userID string, now time.Time) (AuthorMember, bool) {
	i := a.memberIndex(userID)
	if i < 0 {
		return AuthorMember{}, false
	}
	m := a.Members[i]
	soleOwner := m.Role == RoleOwner && a.owners() == 1
	a.Members = slices.Delete(a.Members, i, i+1)
	if soleOwner {
		a.Status, a.RemovedBy = StatusRemoved, RemovedByModerator
	}
	a.touch(now)
	return m, true
}
