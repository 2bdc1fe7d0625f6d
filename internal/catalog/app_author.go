package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// createAuthor creates an author owned by actor.
func (s *Service) createAuthor(ctx context.Context, actor domain.Actor, p domain.AuthorProfile) (domain.Author, error) {
	a, err := domain.NewAuthor(actor, p, s.now())
	if err != nil {
		return domain.Author{}, err
	}
	if err := s.store.CreateAuthor(ctx, a); err != nil {
		return domain.Author{}, err
	}
	return a, nil
}

// author reads an author; one actor may not see does not exist.
func (s *Service) author(ctx context.Context, actor domain.Actor, id string) (domain.Author, error) {
	a, err := s.store.Author(ctx, id)
	if err != nil {
		return domain.Author{}, err
	}
	if !a.VisibleTo(actor) {
		return domain.Author{}, errs.NotFoundf("author %s not found", id)
	}
	return a, nil
}

// listAuthors pages through the authors q selects.
func (s *Service) listAuthors(ctx context.Context, q AuthorQuery) ([]domain.Author, string, error) {
	return s.store.ListAuthors(ctx, q)
}

// updateAuthorProfile edits an author's profile at version expect (0: any).
func (s *Service) updateAuthorProfile(ctx context.Context, actor domain.Actor, id string, p domain.AuthorProfile, expect int64) (domain.Author, error) {
	return s.store.UpdateAuthor(ctx, id, func(a *domain.Author) error {
		return a.UpdateProfile(actor, p, expect, s.now())
	})
}

// removeAuthor soft-deletes an author; its media follow (saga.go).
func (s *Service) removeAuthor(ctx context.Context, actor domain.Actor, id string) error {
	_, err := s.store.UpdateAuthor(ctx, id, func(a *domain.Author) error { return a.Remove(actor, s.now()) })
	return err
}

// restoreAuthor restores a removed author; its media follow (saga.go).
func (s *Service) restoreAuthor(ctx context.Context, actor domain.Actor, id string) (domain.Author, error) {
	return s.store.UpdateAuthor(ctx, id, func(a *domain.Author) error { return a.Restore(actor, s.now()) })
}

// purgeAuthor deletes an author permanently (administrators).
func (s *Service) purgeAuthor(ctx context.Context, actor domain.Actor, id string) error {
	if err := domain.CanPurge(actor); err != nil {
		return err
	}
	return s.store.PurgeAuthor(ctx, id, s.now())
}
