package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Consumers that keep the download access cache (access_cache.go) true:
// catalog's changes drop the answers they may change. Dropping is
// idempotent, so a redelivered event does no harm.

func (s *Service) handleAccessEvents(p *events.Pipeline) {
	catalog := bus.Topic("catalog")
	for _, typ := range []string{eventMediaUpdated, eventMediaPublished, eventMediaRemoved, eventMediaRestored} {
		p.Handle(catalog, typ, events.Bind(s.store.bound, s.onMediaChanged))
	}
	for _, typ := range []string{eventAuthorUpdated, eventAuthorRemoved, eventAuthorRestored, eventAuthorDeleted,
		eventMemberAdded, eventMemberUpdated, eventMemberRemoved} {
		p.Handle(catalog, typ, events.Bind(s.store.bound, s.onAuthorChanged))
	}
}

func (s *Service) onMediaChanged(ctx context.Context, _ *Store, e bus.Event) error {
	var ev struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(e.Data, &ev); err != nil {
		return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	if _, err := uuid.Parse(ev.ID); err != nil {
		return fmt.Errorf("%s %s: no valid id", e.Type, e.ID)
	}
	return s.forgetAccess(ctx, ev.ID)
}

func (s *Service) onAuthorChanged(ctx context.Context, _ *Store, _ bus.Event) error {
	if s.accessCache == nil {
		return nil
	}
	return s.accessCache.ForgetAll(ctx)
}

// forgetAccess drops the cached answers about one item.
func (s *Service) forgetAccess(ctx context.Context, mediaID string) error {
	if s.accessCache == nil {
		return nil
	}
	return s.accessCache.ForgetMedia(ctx, mediaID)
}
