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
	"github.com/alexandria-platform/alexandria/internal/platform/db"
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
	var cur upload
	err := tx.NewSelect().Model(&cur).Where("media_id = ?", ev.MediaID).Scan(ctx)
	current := err == nil && cur.ObjectKey == ev.ObjectKey
	if err != nil && !db.IsNoRows(err) {
		return err
	}
	var doomed []string
	if !current {
		for _, d := range ev.Derivatives {
			if strings.HasPrefix(d.ObjectKey, prefix) {
				doomed = append(doomed, d.ObjectKey)
			}
		}
		_, err := s.store.scheduleUnreferenced(ctx, tx, ev.MediaID, doomed, now)
		return err
	}
	var old []derivative
	if err := tx.NewSelect().Model(&old).Where("media_id = ?", ev.MediaID).Scan(ctx); err != nil {
		return err
	}
	if _, err := tx.NewDelete().Model((*derivative)(nil)).Where("media_id = ?", ev.MediaID).Exec(ctx); err != nil {
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
		if _, err := tx.NewInsert().Model(&row).On("CONFLICT (media_id, name) DO UPDATE").
			Set("kind = EXCLUDED.kind, object_key = EXCLUDED.object_key, content_type = EXCLUDED.content_type, size = EXCLUDED.size, source_sha256 = EXCLUDED.source_sha256, created_at = EXCLUDED.created_at").
			Exec(ctx); err != nil {
			return err
		}
		kept[d.ObjectKey] = true
		if _, err := tx.NewDelete().Model((*objectDeletion)(nil)).Where("object_key = ?", d.ObjectKey).Exec(ctx); err != nil {
			return err
		}
	}
	for _, d := range old {
		if !kept[d.ObjectKey] {
			doomed = append(doomed, d.ObjectKey)
		}
	}
	_, err = s.store.scheduleUnreferenced(ctx, tx, ev.MediaID, doomed, now)
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
	var keys []string
	if err := tx.NewSelect().Model((*upload)(nil)).Column("object_key").Where("media_id = ?", ev.ID).Scan(ctx, &keys); err != nil {
		return err
	}
	var derived []string
	if err := tx.NewSelect().Model((*derivative)(nil)).Column("object_key").Where("media_id = ?", ev.ID).Scan(ctx, &derived); err != nil {
		return err
	}
	// Uploads in progress lose their reservation; the sweeper deletes
	// their bytes (tus data without a reservation).
	for _, q := range []*bun.DeleteQuery{
		tx.NewDelete().Model((*pendingUpload)(nil)).Where("media_id = ?", ev.ID),
		tx.NewDelete().Model((*upload)(nil)).Where("media_id = ?", ev.ID),
		tx.NewDelete().Model((*derivative)(nil)).Where("media_id = ?", ev.ID),
	} {
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
	}
	_, err := s.store.scheduleUnreferenced(ctx, tx, ev.ID, append(keys, derived...), stamp(s.now()))
	return err
}
