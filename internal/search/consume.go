package search

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// The consumers decode the fields they read and update the index in the
// pipeline's transaction. Every record carries catalog's version: an event
// older than what is indexed (redelivered, replayed late) changes nothing.

func (s *Service) handleEvents(p *events.Pipeline) {
	catalog, processing, engagement := bus.Topic("catalog"), bus.Topic("processing"), bus.Topic("engagement")
	for _, t := range []string{eventAuthorCreated, eventAuthorUpdated, eventAuthorRemoved, eventAuthorRestored} {
		p.Handle(catalog, t, events.Bind(s.store.bound, s.onAuthor))
	}
	p.Handle(catalog, eventAuthorDeleted, events.Bind(s.store.bound, s.onAuthorDeleted))
	p.Handle(catalog, eventMemberAdded, events.Bind(s.store.bound, s.onMember))
	p.Handle(catalog, eventMemberUpdated, events.Bind(s.store.bound, s.onMember))
	p.Handle(catalog, eventMemberRemoved, events.Bind(s.store.bound, s.onMemberRemoved))
	for _, t := range []string{eventMediaCreated, eventMediaUpdated, eventMediaPublished, eventMediaRemoved, eventMediaRestored} {
		p.Handle(catalog, t, events.Bind(s.store.bound, s.onMedia))
	}
	p.Handle(catalog, eventMediaDeleted, events.Bind(s.store.bound, s.onMediaDeleted))
	for _, t := range []string{eventCategoryCreated, eventCategoryUpdated, eventCategoryRemoved, eventCategoryRestored} {
		p.Handle(catalog, t, events.Bind(s.store.bound, s.onCategory))
	}
	p.Handle(catalog, eventCategoryDeleted, events.Bind(s.store.bound, s.onCategoryDeleted))
	p.Handle(processing, eventMediaProcessed, events.Bind(s.store.bound, s.onProcessed))
	for _, t := range []string{eventLikeCreated, eventLikeDeleted, eventViewRecorded} {
		p.Handle(engagement, t, events.Bind(s.store.bound, s.onEngagement))
	}
}

// onEngagement adds a like, a like taken back or a batch of views to the
// item's counts; the popularity follows at the next flush.
func (s *Service) onEngagement(ctx context.Context, st *Store, e bus.Event) error {
	var g engagementEvent
	if err := decode(e, &g, func() string { return g.MediaID }); err != nil {
		return err
	}
	switch e.Type {
	case eventLikeCreated:
		return st.AddEngagement(ctx, g.MediaID, 1, 0)
	case eventLikeDeleted:
		return st.AddEngagement(ctx, g.MediaID, -1, 0)
	default:
		if g.Views < 0 || g.Views > 1<<40 {
			return fmt.Errorf("%s %s: views out of range", e.Type, e.ID)
		}
		return st.AddEngagement(ctx, g.MediaID, 0, g.Views)
	}
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

func (s *Service) onAuthor(ctx context.Context, st *Store, e bus.Event) error {
	var a authorEvent
	if err := decode(e, &a, func() string { return a.ID }); err != nil {
		return err
	}
	return st.PutAuthor(ctx, AuthorRecord(a))
}

func (s *Service) onAuthorDeleted(ctx context.Context, st *Store, e bus.Event) error {
	var a authorEvent
	if err := decode(e, &a, func() string { return a.ID }); err != nil {
		return err
	}
	return st.DeleteAuthor(ctx, a.ID)
}

func (s *Service) onMember(ctx context.Context, st *Store, e bus.Event) error {
	var m memberEvent
	if err := decode(e, &m, func() string { return m.AuthorID }); err != nil {
		return err
	}
	if _, err := uuid.Parse(m.UserID); err != nil {
		return fmt.Errorf("%s %s: no valid user_id", e.Type, e.ID)
	}
	return st.PutMember(ctx, m.AuthorID, m.UserID)
}

func (s *Service) onMemberRemoved(ctx context.Context, st *Store, e bus.Event) error {
	var m memberEvent
	if err := decode(e, &m, func() string { return m.AuthorID }); err != nil {
		return err
	}
	return st.DeleteMember(ctx, m.AuthorID, m.UserID)
}

func (s *Service) onMedia(ctx context.Context, st *Store, e bus.Event) error {
	var m mediaEvent
	if err := decode(e, &m, func() string { return m.ID }); err != nil {
		return err
	}
	return s.app.putMedia(ctx, st, m, e.Time)
}

func (s *Service) onMediaDeleted(ctx context.Context, st *Store, e bus.Event) error {
	var m mediaEvent
	if err := decode(e, &m, func() string { return m.ID }); err != nil {
		return err
	}
	return st.DeleteMedia(ctx, m.ID)
}

func (s *Service) onCategory(ctx context.Context, st *Store, e bus.Event) error {
	var c categoryEvent
	if err := decode(e, &c, func() string { return c.ID }); err != nil {
		return err
	}
	return st.PutCategory(ctx, CategoryRecord{ID: c.ID, ParentID: c.ParentID, Name: c.Name, Status: c.Status, Version: c.Version})
}

func (s *Service) onCategoryDeleted(ctx context.Context, st *Store, e bus.Event) error {
	var c categoryEvent
	if err := decode(e, &c, func() string { return c.ID }); err != nil {
		return err
	}
	return st.DeleteCategory(ctx, c.ID)
}

// onProcessed wakes the text fetcher: catalog's event about the same
// processing (media.updated or media.published) carries the derivatives
// and queues the fetch; storage serves the text once it has recorded the
// derivative from this event, which may be a moment later.
//
// An EPUB's table of contents is kept (per original) for search inside.
func (s *Service) onProcessed(ctx context.Context, st *Store, e bus.Event) error {
	var p processedEvent
	if err := decode(e, &p, func() string { return p.MediaID }); err != nil {
		return err
	}
	if p.Content.ContentType == contentTypeEPUB && p.SHA256 != "" {
		var cs []Chapter
		for i, c := range p.Content.Chapters {
			if i >= maxChapters {
				break
			}
			cs = append(cs, Chapter{Position: i + 1, Part: max(c.Section, 0), Title: clipRunes(c.Title, 500), Href: clipRunes(c.Href, 1000)})
		}
		if err := st.PutChapters(ctx, p.MediaID, p.SHA256, cs); err != nil {
			return err
		}
	}
	s.app.nudge()
	return nil
}

const (
	contentTypeEPUB = "application/epub+zip"
	maxChapters     = 5000
)

func clipRunes(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
