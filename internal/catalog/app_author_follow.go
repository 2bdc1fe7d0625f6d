package catalog

import (
	"context"
	"errors"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// The author-removal saga's commands (see Sagas in events.go): the media
// follow their author's removal and restore. Each decides from the current
// rows, so a duplicate or late event finds nothing left to do.

// removeMediaWithAuthor removes the media of an author that is still removed.
func (s *Service) removeMediaWithAuthor(ctx context.Context, st *Store, authorID string) error {
	return s.followAuthor(ctx, st, authorID, domain.StatusRemoved, st.mediaToRemoveWith,
		func(m *domain.Media, _ domain.References) {
			m.RemoveWithAuthor(authorID, s.now())
		})
}

// restoreMediaWithAuthor restores the media removed because of an author
// that is still active.
func (s *Service) restoreMediaWithAuthor(ctx context.Context, st *Store, authorID string) error {
	return s.followAuthor(ctx, st, authorID, domain.StatusActive, st.mediaRemovedWith,
		func(m *domain.Media, refs domain.References) {
			m.RestoreWithAuthor(authorID, refs.Authors, s.now())
		})
}

// followAuthor applies rule to the media selected when the author's status
// is still want. A purged author has nothing left to follow.
func (s *Service) followAuthor(ctx context.Context, st *Store, authorID, want string,
	selected func(ctx context.Context, authorID string) ([]string, error),
	rule func(m *domain.Media, refs domain.References)) error {
	// Hold the author's row until this commits: an author restored (or
	// removed again) meanwhile waits, and its own event's consumer then sees
	// these media changes. Without the lock, a removal that read "removed"
	// just before a restore committed could hide the media after the restore's
	// consumer found nothing to restore, and they would stay hidden.
	if err := st.lockRow(ctx, "authors", authorID); err != nil {
		return err
	}
	a, err := st.Author(ctx, authorID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if a.Status != want {
		return nil
	}
	ids, err := selected(ctx, authorID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		_, err := st.UpdateMedia(ctx, id, nil, nil, func(m *domain.Media, refs domain.References) error {
			rule(m, refs)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
