package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// The consumers of catalog's sagas (see Sagas in events.go). Each runs in
// the pipeline's transaction, which also marks the event handled, and
// decides from the current rows, not from the event: a duplicate, or an
// event that arrives after a later change, finds nothing left to do.

// handleEvents registers catalog's consumers on p.
func (s *Service) handleEvents(p *events.Pipeline) {
	p.Handle(bus.Topic("identity"), eventIdentityUserDeleted, s.onUserDeleted)
	p.Handle(bus.Topic("identity"), eventIdentityUserSuspended, s.onUserStatus(true, blockSuspended))
	p.Handle(bus.Topic("identity"), eventIdentityUserReinstated, s.onUserStatus(false, ""))
	p.Handle(p.Topic(), EventAuthorRemoved, s.onAuthorRemoved)
	p.Handle(p.Topic(), EventAuthorRestored, s.onAuthorRestored)
	s.handleMediaPipeline(p)
}

// subjectID reads the id of the entity an event carries.
func subjectID(e bus.Event) (string, error) {
	var body struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(e.Data, &body); err != nil {
		return "", fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	if !domain.ValidID(body.ID) {
		return "", fmt.Errorf("%s %s: payload has no valid id", e.Type, e.ID)
	}
	return body.ID, nil
}

// onUserDeleted blocks a deleted account and takes it off every author;
// authors it was the only owner of are removed (and their media follow).
func (s *Service) onUserDeleted(ctx context.Context, tx bun.Tx, e bus.Event) error {
	userID, err := subjectID(e)
	if err != nil {
		return err
	}
	if err := s.onUserStatus(true, blockDeleted)(ctx, tx, e); err != nil {
		return err
	}
	st := s.store.InTx(tx)
	var authorIDs []string
	err = tx.NewSelect().TableExpr("author_members").Column("author_id").Where("user_id = ?", userID).
		Order("author_id").Scan(ctx, &authorIDs)
	if err != nil {
		return fmt.Errorf("find memberships of %s: %w", userID, err)
	}
	now := s.now()
	for _, id := range authorIDs {
		_, err := st.UpdateAuthor(ctx, id, func(a *domain.Author) error {
			a.DropDeletedUser(userID, now)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// onAuthorRemoved removes the media of an author that is still removed.
func (s *Service) onAuthorRemoved(ctx context.Context, tx bun.Tx, e bus.Event) error {
	return s.followAuthor(ctx, tx, e, domain.StatusRemoved,
		"m.status <> '"+domain.MediaRemoved+"' AND m.id IN (SELECT ma.media_id FROM media_authors ma WHERE ma.author_id = ?)",
		func(m *domain.Media, authorID string, _ domain.References) {
			m.RemoveWithAuthor(authorID, s.now())
		})
}

// onAuthorRestored restores the media removed because of an author that is
// still active.
func (s *Service) onAuthorRestored(ctx context.Context, tx bun.Tx, e bus.Event) error {
	return s.followAuthor(ctx, tx, e, domain.StatusActive,
		"m.status = '"+domain.MediaRemoved+"' AND m.removed_by = ?",
		func(m *domain.Media, authorID string, refs domain.References) {
			m.RestoreWithAuthor(authorID, refs.Authors, s.now())
		})
}

// followAuthor applies rule to the media selected by where (with the
// author's ID as its argument) when the author's status is still want. A
// purged author has nothing left to follow.
func (s *Service) followAuthor(ctx context.Context, tx bun.Tx, e bus.Event, want, where string,
	rule func(m *domain.Media, authorID string, refs domain.References)) error {
	authorID, err := subjectID(e)
	if err != nil {
		return err
	}
	st := s.store.InTx(tx)
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
	var ids []string
	if err := tx.NewSelect().TableExpr("media AS m").Column("m.id").Where(where, authorID).Order("m.id").Scan(ctx, &ids); err != nil {
		return fmt.Errorf("find media of author %s: %w", authorID, err)
	}
	for _, id := range ids {
		_, err := st.UpdateMedia(ctx, id, nil, nil, func(m *domain.Media, refs domain.References) error {
			rule(m, authorID, refs)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
