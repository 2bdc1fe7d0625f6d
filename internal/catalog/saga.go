package catalog

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// The consumers of catalog's sagas (see Sagas in events.go). Each gets the
// repository bound to the pipeline's transaction, which also marks the
// event handled (events.Bind), and calls the app layer, which decides from
// the current rows, not from the event: a duplicate, or an event that
// arrives after a later change, finds nothing left to do.

// handleEvents registers catalog's consumers on p.
func (s *Service) handleEvents(p *events.Pipeline) {
	p.Handle(bus.Topic("identity"), eventIdentityUserDeleted, s.bind(s.onUserDeleted))
	p.Handle(bus.Topic("identity"), eventIdentityUserSuspended, s.bind(s.onUserStatus(true, blockSuspended)))
	p.Handle(bus.Topic("identity"), eventIdentityUserReinstated, s.bind(s.onUserStatus(false, "")))
	p.Handle(p.Topic(), EventAuthorRemoved, s.bind(s.droppingReads(s.onAuthorRemoved)))
	p.Handle(p.Topic(), EventAuthorRestored, s.bind(s.droppingReads(s.onAuthorRestored)))
	s.handleMediaPipeline(p)
	s.handleReadCacheEvents(p)
}

// bind makes a consumer of apply, on the store bound to the pipeline's
// transaction.
func (s *Service) bind(apply func(ctx context.Context, st *Store, e bus.Event) error) events.Handler {
	return events.Bind(s.store.bound, apply)
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
func (s *Service) onUserDeleted(ctx context.Context, st *Store, e bus.Event) error {
	userID, err := subjectID(e)
	if err != nil {
		return err
	}
	if err := s.onUserStatus(true, blockDeleted)(ctx, st, e); err != nil {
		return err
	}
	return s.dropDeletedUser(ctx, st, userID)
}

// onAuthorRemoved removes the media of an author that is still removed.
func (s *Service) onAuthorRemoved(ctx context.Context, st *Store, e bus.Event) error {
	authorID, err := subjectID(e)
	if err != nil {
		return err
	}
	return s.removeMediaWithAuthor(ctx, st, authorID)
}

// onAuthorRestored restores the media removed because of an author that is
// still active.
func (s *Service) onAuthorRestored(ctx context.Context, st *Store, e bus.Event) error {
	authorID, err := subjectID(e)
	if err != nil {
		return err
	}
	return s.restoreMediaWithAuthor(ctx, st, authorID)
}
