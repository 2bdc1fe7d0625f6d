package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// createMedia creates a media item credited to authors actor is a member of.
func (s *Service) createMedia(ctx context.Context, actor domain.Actor, f domain.MediaFields) (domain.Media, error) {
	var authorIDs, categoryIDs []string
	if f.AuthorIDs != nil {
		authorIDs = *f.AuthorIDs
	}
	if f.CategoryIDs != nil {
		categoryIDs = *f.CategoryIDs
	}
	var m domain.Media
	err := s.store.Tx(ctx, func(tx *Store) error {
		refs, err := tx.References(ctx, authorIDs, categoryIDs)
		if err != nil {
			return err
		}
		if m, err = domain.NewMedia(actor, f, refs, s.limits, s.now()); err != nil {
			return err
		}
		return tx.CreateMedia(ctx, m)
	})
	return m, err
}

// media reads a media item; one actor may not see does not exist.
func (s *Service) media(ctx context.Context, actor domain.Actor, id string) (domain.Media, error) {
	m, err := s.store.Media(ctx, id)
	if err != nil {
		return domain.Media{}, err
	}
	authors, err := s.store.Authors(ctx, m.AuthorIDs)
	if err != nil {
		return domain.Media{}, err
	}
	if !m.VisibleTo(actor, authors) {
		return domain.Media{}, errs.NotFoundf("media %s not found", id)
	}
	return m, nil
}

// listMedia pages through the media q selects.
func (s *Service) listMedia(ctx context.Context, q MediaQuery) ([]domain.Media, string, error) {
	return s.store.ListMedia(ctx, q)
}

// updateMedia edits, publishes or unpublishes an item at version expect
// (0: any).
func (s *Service) updateMedia(ctx context.Context, actor domain.Actor, id string, f domain.MediaFields, expect int64) (domain.Media, error) {
	var authorIDs, categoryIDs []string
	if f.AuthorIDs != nil {
		authorIDs = *f.AuthorIDs
	}
	if f.CategoryIDs != nil {
		categoryIDs = *f.CategoryIDs
	}
	return s.store.UpdateMedia(ctx, id, authorIDs, categoryIDs, func(m *domain.Media, refs domain.References) error {
		return m.Update(actor, f, refs, s.limits, expect, s.now())
	})
}

// removeMedia soft-deletes an item.
func (s *Service) removeMedia(ctx context.Context, actor domain.Actor, id string) error {
	_, err := s.store.UpdateMedia(ctx, id, nil, nil, func(m *domain.Media, refs domain.References) error {
		return m.Remove(actor, refs.Authors, s.now())
	})
	return err
}

// restoreMedia brings a removed item back to the status it had.
func (s *Service) restoreMedia(ctx context.Context, actor domain.Actor, id string) (domain.Media, error) {
	return s.store.UpdateMedia(ctx, id, nil, nil, func(m *domain.Media, refs domain.References) error {
		return m.Restore(actor, refs.Authors, s.now())
	})
}

// purgeMedia deletes an item permanently (administrators).
func (s *Service) purgeMedia(ctx context.Context, actor domain.Actor, id string) error {
	if err := domain.CanPurge(actor); err != nil {
		return err
	}
	return s.store.PurgeMedia(ctx, id)
}
