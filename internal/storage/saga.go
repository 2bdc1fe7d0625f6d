package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// The consumers. Each runs in the pipeline's transaction (which also marks
// the event handled) and decides from storage's current rows: a duplicate
// or late event finds nothing left to do. Objects they make unreferenced
// are deleted by the sweeper after the transaction commits.

func (s *Service) handleEvents(p *events.Pipeline) {
	p.Handle(bus.Topic("processing"), eventMediaProcessed, s.onMediaProcessed)
	p.Handle(bus.Topic("catalog"), eventMediaDeleted, s.onMediaDeleted)
}

// onMediaProcessed records the derivatives of the item's current file. The
// derivatives of a file that is no longer current (a newer upload came
// first) are orphans and are deleted.
func (s *Service) onMediaProcessed(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var ev mediaProcessed
	if err := json.Unmarshal(e.Data, &ev); err != nil {
		return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	if _, err := uuid.Parse(ev.MediaID); err != nil {
		return fmt.Errorf("%s %s: no valid media_id", e.Type, e.ID)
	}
	now := stamp(s.now())
	prefix := "derivatives/" + ev.MediaID + "/"
	st := s.store.inTx(tx)
	cur, found, err := st.currentIfAny(ctx, ev.MediaID)
	if err != nil {
		return err
	}
	current := found && cur.ObjectKey == ev.ObjectKey
	var doomed []string
	if !current {
		for _, d := range ev.Derivatives {
			if strings.HasPrefix(d.ObjectKey, prefix) {
				doomed = append(doomed, d.ObjectKey)
			}
		}
		_, err := st.unreference(ctx, ev.MediaID, doomed, now)
		return err
	}
	old, err := st.derivatives(ctx, ev.MediaID)
	if err != nil {
		return err
	}
	if err := st.dropDerivatives(ctx, ev.MediaID); err != nil {
		return err
	}
	kept := map[string]bool{}
	for _, d := range ev.Derivatives {
		name := path.Base(d.ObjectKey)
		// Only keys under the item's own prefix are served: an event can
		// never make storage serve another object.
		if !strings.HasPrefix(d.ObjectKey, prefix) || strings.Contains(d.ObjectKey, "..") || name == "" || name == "." {
			s.log.WarnContext(ctx, "derivative outside the media's prefix ignored", "key", d.ObjectKey, "event", e.ID)
			continue
		}
		row := derivative{MediaID: ev.MediaID, Name: name, Kind: d.Kind, ObjectKey: d.ObjectKey, ContentType: d.ContentType,
			Size: d.Size, SourceSHA256: cur.SHA256, CreatedAt: now}
		if err := st.putDerivative(ctx, row); err != nil {
			return err
		}
		kept[d.ObjectKey] = true
	}
	for _, d := range old {
		if !kept[d.ObjectKey] {
			doomed = append(doomed, d.ObjectKey)
		}
	}
	_, err = st.unreference(ctx, ev.MediaID, doomed, now)
	return err
}

// onMediaDeleted drops everything storage holds for a deleted item.
func (s *Service) onMediaDeleted(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var ev struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(e.Data, &ev); err != nil {
		return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	if _, err := uuid.Parse(ev.ID); err != nil {
		return fmt.Errorf("%s %s: no valid id", e.Type, e.ID)
	}
	st := s.store.inTx(tx)
	keys, err := st.dropMedia(ctx, ev.ID)
	if err != nil {
		return err
	}
	_, err = st.unreference(ctx, ev.ID, keys, stamp(s.now()))
	return err
}
