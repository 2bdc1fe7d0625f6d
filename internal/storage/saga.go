package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// The consumers: each decodes the fields it reads and calls the app layer
// (app_derivatives.go) with the repository bound to the pipeline's
// transaction (events.Bind), which also marks the event handled.

func (s *Service) handleEvents(p *events.Pipeline) {
	p.Handle(bus.Topic("processing"), eventMediaProcessed, events.Bind(s.store.bound, s.onMediaProcessed))
	p.Handle(bus.Topic("catalog"), eventMediaDeleted, events.Bind(s.store.bound, s.onMediaDeleted))
}

// onMediaProcessed records the derivatives processing made.
func (s *Service) onMediaProcessed(ctx context.Context, st *Store, e bus.Event) error {
	var ev mediaProcessed
	if err := json.Unmarshal(e.Data, &ev); err != nil {
		return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	if _, err := uuid.Parse(ev.MediaID); err != nil {
		return fmt.Errorf("%s %s: no valid media_id", e.Type, e.ID)
	}
	made := make([]madeDerivative, 0, len(ev.Derivatives))
	for _, d := range ev.Derivatives {
		made = append(made, madeDerivative{Kind: d.Kind, ObjectKey: d.ObjectKey, ContentType: d.ContentType, Size: d.Size})
	}
	return s.recordDerivatives(ctx, st, ev.MediaID, ev.ObjectKey, made)
}

// onMediaDeleted drops everything storage holds for a deleted item.
func (s *Service) onMediaDeleted(ctx context.Context, st *Store, e bus.Event) error {
	var ev struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(e.Data, &ev); err != nil {
		return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	if _, err := uuid.Parse(ev.ID); err != nil {
		return fmt.Errorf("%s %s: no valid id", e.Type, e.ID)
	}
	if err := s.forgetAccess(ctx, ev.ID); err != nil {
		return err
	}
	return s.dropMediaFiles(ctx, st, ev.ID)
}
