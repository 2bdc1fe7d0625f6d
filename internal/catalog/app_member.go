package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// authorMembers lists an author's members to its members and moderators.
func (s *Service) authorMembers(ctx context.Context, actor domain.Actor, authorID string) ([]domain.AuthorMember, error) {
	a, err := s.author(ctx, actor, authorID)
	if err != nil {
		return nil, err
	}
	if !a.MembersVisibleTo(actor) {
		if !actor.SignedIn() {
			return nil, errs.Unauthenticatedf("sign in as a member of the author to see its members")
		}
		return nil, errs.Forbiddenf("only the author's members and moderators may see its members")
	}
	return a.Members, nil
}

// addMember makes userID, who must exist in identity, a member of an
// author with role (member when empty).
func (s *Service) addMember(ctx context.Context, actor domain.Actor, authorID, userID, role string) (domain.AuthorMember, error) {
	if role == "" {
		role = domain.RoleMember
	}
	a, err := s.store.Author(ctx, authorID)
	if err != nil {
		return domain.AuthorMember{}, err
	}
	if err := a.CheckAddMember(actor, userID, role, s.limits.MaxMembersPerAuthor); err != nil {
		return domain.AuthorMember{}, err
	}
	exists, err := s.dir.Exists(ctx, userID)
	if err != nil {
		return domain.AuthorMember{}, err
	}
	if !exists {
		return domain.AuthorMember{}, errs.InvalidField("user_id", "no such user")
	}
	var m domain.AuthorMember
	_, err = s.store.UpdateAuthor(ctx, authorID, func(a *domain.Author) error {
		m, err = a.AddMember(actor, userID, role, s.limits.MaxMembersPerAuthor, s.now())
		return err
	})
	return m, err
}

// setMemberRole changes a member's role.
func (s *Service) setMemberRole(ctx context.Context, actor domain.Actor, authorID, userID, role string) (domain.AuthorMember, error) {
	var m domain.AuthorMember
	_, err := s.store.UpdateAuthor(ctx, authorID, func(a *domain.Author) error {
		var err error
		m, err = a.SetMemberRole(actor, userID, role, s.now())
		return err
	})
	return m, err
}

// removeMember takes userID off an author.
func (s *Service) removeMember(ctx context.Context, actor domain.Actor, authorID, userID string) error {
	_, err := s.store.UpdateAuthor(ctx, authorID, func(a *domain.Author) error {
		return a.RemoveMember(actor, userID, s.now())
	})
	return err
}
