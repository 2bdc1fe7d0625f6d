package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Author and category statuses.
const (
	StatusActive  = "active"
	StatusRemoved = "removed"
)

// MaxLinksPerAuthor bounds an author's external links.
const MaxLinksPerAuthor = 10

// Member roles.
const (
	RoleOwner  = "owner"
	RoleMember = "member"
)

// AuthorLink is an external link on an author's profile.
type AuthorLink struct {
	Title string
	URL   string
}

// AuthorMember is a user account that may act for an author.
type AuthorMember struct {
	UserID  string
	Role    string
	AddedAt time.Time
}

// Author is a public profile under which media are published.
type Author struct {
	ID        string
	Name      string
	Bio       string
	Links     []AuthorLink
	Avatar    string
	Status    string
	RemovedBy string
	Members   []AuthorMember
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// AuthorProfile is the editable part of an author; nil fields of a patch are
// left as they are.
type AuthorProfile struct {
	Name   *string
	Bio    *string
	Links  *[]AuthorLink
	Avatar *string
}

// RoleOf returns the user's role, or "" for a non-member.
func (a Author) RoleOf(userID string) string {
	if userID == "" {
		return ""
	}
	for _, m := range a.Members {
		if m.UserID == userID {
			return m.Role
		}
	}
	return ""
}

// IsMember reports whether the actor is a member (any role) of the author.
func (a Author) IsMember(actor Actor) bool { return a.RoleOf(actor.UserID) != "" }

// MembersVisibleTo reports whether the actor may see who the members are:
// the members themselves and moderators. Membership is not public: it ties
// accounts to pen names.
func (a Author) MembersVisibleTo(actor Actor) bool { return actor.Moderator || a.IsMember(actor) }

// VisibleTo reports whether the actor may know the author exists.
func (a Author) VisibleTo(actor Actor) bool {
	return a.Status == StatusActive || actor.Moderator || a.IsMember(actor)
}

// touch records a change: every change bumps the version.
func (a *Author) touch(now time.Time) {
	a.UpdatedAt = now
	a.Version++
}

func (a Author) notFound() error { return errs.NotFoundf("author %s not found", a.ID) }

// NewAuthor creates an author owned by the actor, who must hold the author
// role or moderate.
func NewAuthor(actor Actor, p AuthorProfile, now time.Time) (Author, error) {
	if err := requireSignedIn(actor); err != nil {
		return Author{}, err
	}
	if !actor.Author && !actor.Moderator {
		return Author{}, errs.Forbiddenf("only users with the author role may create authors")
	}
	a := Author{
		ID: NewID(), Status: StatusActive, Links: []AuthorLink{},
		Members:   []AuthorMember{{UserID: actor.UserID, Role: RoleOwner, AddedAt: now}},
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	if p.Name == nil {
		p.Name = new(string)
	}
	if err := a.applyProfile(p); err != nil {
		return Author{}, err
	}
	return a, nil
}

// UpdateProfile edits the profile: its owners or moderators, and not while
// the author is removed (like a removed media item).
func (a *Author) UpdateProfile(actor Actor, p AuthorProfile, expect int64, now time.Time) error {
	if !a.VisibleTo(actor) {
		return a.notFound()
	}
	if a.RoleOf(actor.UserID) != RoleOwner && !actor.Moderator {
		return errs.Forbiddenf("only the author's owners or moderators may edit its profile")
	}
	if err := CheckVersion(expect, a.Version); err != nil {
		return err
	}
	if a.Status == StatusRemoved {
		return errs.Conflictf("author %s is removed; a moderator must restore it first", a.ID)
	}
	if err := a.applyProfile(p); err != nil {
		return err
	}
	a.touch(now)
	return nil
}

func (a *Author) applyProfile(p AuthorProfile) error {
	var v errs.Validation
	if p.Name != nil {
		a.Name = strings.TrimSpace(*p.Name)
		checkText(&v, "name", a.Name, 1, 200)
	}
	if p.Bio != nil {
		a.Bio = *p.Bio
		checkLongText(&v, "bio", a.Bio, 0, 5000)
	}
	if p.Links != nil {
		a.Links = append([]AuthorLink{}, *p.Links...)
		if len(a.Links) > MaxLinksPerAuthor {
			v.Add("links", "must hold at most %d links", MaxLinksPerAuthor)
		}
		for i, l := range a.Links {
			checkLink(&v, fmt.Sprintf("links[%d]", i), l)
		}
	}
	if p.Avatar != nil {
		a.Avatar = strings.TrimSpace(*p.Avatar)
		checkText(&v, "avatar", a.Avatar, 0, 500)
		checkAvatar(&v, a.Avatar)
	}
	return v.Err()
}

// Who removed an author, which decides who may restore it.
const (
	RemovedByOwner     = "owner"
	RemovedByModerator = "moderator"
)

// Remove soft-deletes the author: its owners or moderators (a plain member
// may leave, not take the author down). An owner's removal is recorded as
// the owners', which they may undo; a moderator's only moderators undo.
// Removing a removed author changes nothing.
func (a *Author) Remove(actor Actor, now time.Time) error {
	if !a.VisibleTo(actor) {
		return a.notFound()
	}
	owner := a.RoleOf(actor.UserID) == RoleOwner
	if !owner && !actor.Moderator {
		return errs.Forbiddenf("only the author's owners or moderators may remove it")
	}
	if a.Status == StatusRemoved {
		return nil
	}
	a.Status, a.RemovedBy = StatusRemoved, RemovedByModerator
	if owner {
		a.RemovedBy = RemovedByOwner
	}
	a.touch(now)
	return nil
}

// Restore brings a removed author back: moderators always; its owners when
// the owners removed it. An author a moderator removed, or whose only
// owner's account was deleted, only moderators restore.
func (a *Author) Restore(actor Actor, now time.Time) error {
	if !a.VisibleTo(actor) {
		return a.notFound()
	}
	owner := a.RoleOf(actor.UserID) == RoleOwner
	switch {
	case actor.Moderator:
	case owner && a.RemovedBy == RemovedByOwner:
	case owner && a.Status == StatusRemoved:
		return errs.Forbiddenf("a moderator removed author %s: only moderators may restore it", a.ID)
	default:
		return errs.Forbiddenf("only the author's owners or moderators may restore it")
	}
	if a.Status != StatusRemoved {
		return errs.Conflictf("author %s is not removed", a.ID)
	}
	a.Status, a.RemovedBy = StatusActive, ""
	a.touch(now)
	return nil
}
