package feeds

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// The consumers copy catalog's payloads into the read model in the
// pipeline's transaction, and drop the rendered feeds once it commits.

func (s *Service) consume(p *events.Pipeline) {
	for typ, h := range s.handlers() {
		p.Handle(bus.Topic("catalog"), typ, h)
	}
	p.Handle(bus.Topic("identity"), eventIdentityUserDeleted, s.onUserDeleted())
}

// onUserDeleted erases a deleted account's private feed tokens: its feeds
// answer 404 from then on.
func (s *Service) onUserDeleted() events.Handler {
	return events.Bind(s.store.bound, func(ctx context.Context, st *Store, e bus.Event) error {
		u, err := decode(e, func(u deletedUser) string { return u.ID })
		if err != nil {
			return err
		}
		return st.EraseUserTokens(ctx, u.ID)
	})
}

// handlers maps each consumed event type to its handler.
func (s *Service) handlers() map[string]events.Handler {
	hs := map[string]events.Handler{}
	for _, typ := range []string{eventMediaCreated, eventMediaUpdated, eventMediaPublished, eventMediaRemoved, eventMediaRestored} {
		hs[typ] = s.onMedia(false)
	}
	hs[eventMediaDeleted] = s.onMedia(true)
	for _, typ := range []string{eventAuthorCreated, eventAuthorUpdated, eventAuthorRemoved, eventAuthorRestored} {
		hs[typ] = s.onAuthor(false)
	}
	hs[eventAuthorDeleted] = s.onAuthor(true)
	for _, typ := range []string{eventCategoryCreated, eventCategoryUpdated, eventCategoryRemoved, eventCategoryRestored} {
		hs[typ] = s.onCategory(false)
	}
	hs[eventCategoryDeleted] = s.onCategory(true)
	return hs
}

func decode[T any](e bus.Event, id func(T) string) (T, error) {
	var v T
	if err := json.Unmarshal(e.Data, &v); err != nil {
		return v, fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	if _, err := uuid.Parse(id(v)); err != nil {
		return v, fmt.Errorf("%s %s: no valid id", e.Type, e.ID)
	}
	return v, nil
}

func (s *Service) onMedia(deleted bool) events.Handler {
	return events.Bind(s.store.bound, func(ctx context.Context, st *Store, e bus.Event) error {
		m, err := decode(e, func(m domain.Media) string { return m.ID })
		if err != nil {
			return err
		}
		if deleted {
			m.Status = domain.StatusDeleted
		}
		return s.app.applyMedia(ctx, st, m, deleted)
	})
}

func (s *Service) onAuthor(deleted bool) events.Handler {
	return events.Bind(s.store.bound, func(ctx context.Context, st *Store, e bus.Event) error {
		a, err := decode(e, func(a domain.Author) string { return a.ID })
		if err != nil {
			return err
		}
		if deleted {
			a.Status = domain.StatusDeleted
		}
		return s.app.applyAuthor(ctx, st, a, deleted)
	})
}

func (s *Service) onCategory(deleted bool) events.Handler {
	return events.Bind(s.store.bound, func(ctx context.Context, st *Store, e bus.Event) error {
		c, err := decode(e, func(c domain.Category) string { return c.ID })
		if err != nil {
			return err
		}
		if deleted {
			c.Status = domain.StatusDeleted
		}
		return s.app.applyCategory(ctx, st, c, deleted)
	})
}

// deletedUser is the part of identity's user payload feeds reads.
type deletedUser struct {
	ID string `json:"id"`
}
