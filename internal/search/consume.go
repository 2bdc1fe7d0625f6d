package search

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// The consumers decode the fields they read and update the index in the
// pipeline's transaction. Every record carries catalog's version: an event
// older than what is indexed (redelivered, replayed late) changes nothing.

func (s *Service) handleEvents(p *events.Pipeline) {
	catalog, processing := bus.Topic("catalog"), bus.Topic("processing")
	for _, t := range []string{eventAuthorCreated, eventAuthorUpdated, eventAuthorRemoved, eventAuthorRestored} {
		p.Handle(catalog, t, s.onAuthor)
	}
	p.Handle(catalog, eventAuthorDeleted, s.onAuthorDeleted)
	p.Handle(catalog, eventMemberAdded, s.onMember)
	p.Handle(catalog, eventMemberUpdated, s.onMember)
	p.Handle(catalog, eventMemberRemoved, s.onMemberRemoved)
	for _, t := range []string{eventMediaCreated, eventMediaUpdated, eventMediaPublished, eventMediaRemoved, eventMediaRestored} {
		p.Handle(catalog, t, s.onMedia)
	}
	p.Handle(catalog, eventMediaDeleted, s.onMediaDeleted)
	for _, t := range []string{eventCategoryCreated, eventCategoryUpdated, eventCategoryRemoved, eventCategoryRestored} {
		p.Handle(catalog, t, s.onCategory)
	}
	p.Handle(catalog, eventCategoryDeleted, s.onCategoryDeleted)
	p.Handle(processing, eventMediaProcessed, s.onProcessed)
}

func decode(e bus.Event, v any, id func() string) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	if _, err := uuid.Parse(id()); err != nil {
		return fmt.Errorf("%s %s: no valid id", e.Type, e.ID)
	}
	return nil
}

func (s *Service) onAuthor(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var a authorEvent
	if err := decode(e, &a, func() string { return a.ID }); err != nil {
		return err
	}
	return s.store.inTx(tx).PutAuthor(ctx, AuthorRecord(a))
}

func (s *Service) onAuthorDeleted(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var a authorEvent
	if err := decode(e, &a, func() string { return a.ID }); err != nil {
		return err
	}
	return s.store.inTx(tx).DeleteAuthor(ctx, a.ID)
}

func (s *Service) onMember(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var m memberEvent
	if err := decode(e, &m, func() string { return m.AuthorID }); err != nil {
		return err
	}
	if _, err := uuid.Parse(m.UserID); err != nil {
		return fmt.Errorf("%s %s: no valid user_id", e.Type, e.ID)
	}
	return s.store.inTx(tx).PutMember(ctx, m.AuthorID, m.UserID)
}

func (s *Service) onMemberRemoved(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var m memberEvent
	if err := decode(e, &m, func() string { return m.AuthorID }); err != nil {
		return err
	}
	return s.store.inTx(tx).DeleteMember(ctx, m.AuthorID, m.UserID)
}

func (s *Service) onMedia(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var m mediaEvent
	if err := decode(e, &m, func() string { return m.ID }); err != nil {
		return err
	}
	return s.app.putMedia(ctx, s.store.inTx(tx), m, e.Time)
}

func (s *Service) onMediaDeleted(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var m mediaEvent
	if err := decode(e, &m, func() string { return m.ID }); err != nil {
		return err
	}
	return s.store.inTx(tx).DeleteMedia(ctx, m.ID)
}

func (s *Service) onCategory(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var c categoryEvent
	if err := decode(e, &c, func() string { return c.ID }); err != nil {
		return err
	}
	return s.store.inTx(tx).PutCategory(ctx, CategoryRecord{ID: c.ID, ParentID: c.ParentID, Name: c.Name, Status: c.Status, Version: c.Version})
}

func (s *Service) onCategoryDeleted(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var c categoryEvent
	if err := decode(e, &c, func() string { return c.ID }); err != nil {
		return err
	}
	return s.store.inTx(tx).DeleteCategory(ctx, c.ID)
}

// onProcessed wakes the text fetcher: catalog's event about the same
// processing (media.updated or media.published) carries the derivatives
// and queues the fetch; storage serves the text once it has recorded the
// derivative from this event, which may be a moment later.
func (s *Service) onProcessed(ctx context.Context, _ bun.Tx, e bus.Event) error {
	var p processedEvent
	if err := decode(e, &p, func() string { return p.MediaID }); err != nil {
		return err
	}
	s.app.nudge()
	return nil
}
