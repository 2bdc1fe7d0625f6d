package engagement

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// The consumers: decode only the fields engagement reads, then call the app
// layer in the pipeline's transaction (which also marks the event handled).

// handleEvents registers engagement's consumers on p.
func (s *Service) handleEvents(p *events.Pipeline) {
	catalog := bus.Topic("catalog")
	for _, typ := range []string{eventMediaCreated, eventMediaUpdated, eventMediaPublished, eventMediaRemoved, eventMediaRestored} {
		p.Handle(catalog, typ, events.Bind(s.store.bound, s.onMedia))
	}
	p.Handle(catalog, eventMediaDeleted, s.onForget("media"))
	for _, typ := range []string{eventAuthorCreated, eventAuthorUpdated, eventAuthorRemoved, eventAuthorRestored} {
		p.Handle(catalog, typ, s.onStatus("authors"))
	}
	p.Handle(catalog, eventAuthorDeleted, s.onForget("authors"))
	for _, typ := range []string{eventCategoryCreated, eventCategoryUpdated, eventCategoryRemoved, eventCategoryRestored} {
		p.Handle(catalog, typ, s.onStatus("categories"))
	}
	p.Handle(catalog, eventCategoryDeleted, s.onForget("categories"))
	p.Handle(bus.Topic("identity"), eventIdentityUserDeleted, events.Bind(s.store.bound, s.onUserDeleted))
}

// catalogMedia is the part of catalog's media payload engagement reads.
type catalogMedia struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`
	Title       string     `json:"title"`
	Status      string     `json:"status"`
	AuthorIDs   []string   `json:"author_ids"`
	CategoryIDs []string   `json:"category_ids"`
	Tags        []string   `json:"tags"`
	PublishedAt *time.Time `json:"published_at"`
	Version     int64      `json:"version"`
	Content     *struct {
		DurationSeconds *float64 `json:"duration_seconds"`
		Pages           *int     `json:"pages"`
	} `json:"content"`
}

func decode(e bus.Event, v any, id *string) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	if !domain.ValidID(*id) {
		return fmt.Errorf("%s %s: payload has no valid id", e.Type, e.ID)
	}
	return nil
}

func (s *Service) onMedia(ctx context.Context, st *Store, e bus.Event) error {
	var m catalogMedia
	if err := decode(e, &m, &m.ID); err != nil {
		return err
	}
	dm := domain.Media{ID: m.ID, Kind: m.Kind, Title: m.Title, Status: m.Status, PublishedAt: m.PublishedAt,
		AuthorIDs: m.AuthorIDs, CategoryIDs: m.CategoryIDs, Tags: m.Tags, Version: m.Version}
	if m.Content != nil {
		dm.DurationSeconds, dm.Pages = m.Content.DurationSeconds, m.Content.Pages
	}
	if _, err := st.applyMedia(ctx, dm); err != nil {
		return err
	}
	events.AfterCommit(ctx, func() { s.visibility.forget(dm.ID) })
	return nil
}

func (s *Service) onStatus(table string) events.Handler {
	return events.Bind(s.store.bound, func(ctx context.Context, st *Store, e bus.Event) error {
		var body struct {
			ID      string `json:"id"`
			Status  string `json:"status"`
			Version int64  `json:"version"`
		}
		if err := decode(e, &body, &body.ID); err != nil {
			return err
		}
		return st.applyStatus(ctx, table, body.ID, body.Status, body.Version)
	})
}

func (s *Service) onForget(table string) events.Handler {
	return events.Bind(s.store.bound, func(ctx context.Context, st *Store, e bus.Event) error {
		var body struct {
			ID string `json:"id"`
		}
		if err := decode(e, &body, &body.ID); err != nil {
			return err
		}
		if table == "media" {
			if err := st.forgetMedia(ctx, body.ID); err != nil {
				return err
			}
			events.AfterCommit(ctx, func() { s.visibility.forget(body.ID) })
			return nil
		}
		return st.forget(ctx, table, body.ID)
	})
}

func (s *Service) onUserDeleted(ctx context.Context, st *Store, e bus.Event) error {
	var body struct {
		ID string `json:"id"`
	}
	if err := decode(e, &body, &body.ID); err != nil {
		return err
	}
	return s.eraseUser(ctx, st, body.ID)
}
