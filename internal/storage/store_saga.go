package storage

import (
	"context"
	"errors"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
)

// The queries of the consumers' commands (app_derivatives.go), run on a
// repository bound to the pipeline's transaction (bound).

var errNoTx = errors.New("storage store: the consumers' queries need a transaction (bound)")

// unreference schedules for deletion each key no row references any more
// (scheduleUnreferenced, in the bound transaction).
func (s *Store) unreference(ctx context.Context, mediaID string, keys []string, now time.Time) ([]string, error) {
	if s.tx == nil {
		return nil, errNoTx
	}
	return s.scheduleUnreferenced(ctx, s.tx, mediaID, keys, now)
}

// Upload returns the completed upload id.
func (s *Store) Upload(ctx context.Context, id string) (upload, error) {
	var u upload
	err := s.idb().NewSelect().Model(&u).Where("id = ?", id).Scan(ctx)
	return u, err
}

// currentIfAny returns a media item's current file; found is false when it
// has none.
func (s *Store) currentIfAny(ctx context.Context, mediaID string) (u upload, found bool, err error) {
	err = s.idb().NewSelect().Model(&u).Where("media_id = ?", mediaID).Scan(ctx)
	if db.IsNoRows(err) {
		return u, false, nil
	}
	return u, err == nil, err
}

// derivatives lists the derivatives a media item has.
func (s *Store) derivatives(ctx context.Context, mediaID string) ([]derivative, error) {
	var ds []derivative
	err := s.idb().NewSelect().Model(&ds).Where("media_id = ?", mediaID).Scan(ctx)
	return ds, err
}

// dropDerivatives deletes a media item's derivative rows.
func (s *Store) dropDerivatives(ctx context.Context, mediaID string) error {
	_, err := s.idb().NewDelete().Model((*derivative)(nil)).Where("media_id = ?", mediaID).Exec(ctx)
	return err
}

// putDerivative records d, replacing the item's derivative of the same
// name, and cancels a pending deletion of its object (referenced again).
func (s *Store) putDerivative(ctx context.Context, d derivative) error {
	if _, err := s.idb().NewInsert().Model(&d).On("CONFLICT (media_id, name) DO UPDATE").
		Set("kind = EXCLUDED.kind, object_key = EXCLUDED.object_key, content_type = EXCLUDED.content_type, size = EXCLUDED.size, source_sha256 = EXCLUDED.source_sha256, created_at = EXCLUDED.created_at").
		Exec(ctx); err != nil {
		return err
	}
	_, err := s.idb().NewDelete().Model((*objectDeletion)(nil)).Where("object_key = ?", d.ObjectKey).Exec(ctx)
	return err
}

// dropMedia deletes every row storage holds for a media item (uploads in
// progress, its current file, its derivatives) and returns the object keys
// of the file and the derivatives, for scheduling their deletion.
func (s *Store) dropMedia(ctx context.Context, mediaID string) ([]string, error) {
	idb := s.idb()
	var keys []string
	if err := idb.NewSelect().Model((*upload)(nil)).Column("object_key").Where("media_id = ?", mediaID).Scan(ctx, &keys); err != nil {
		return nil, err
	}
	var derived []string
	if err := idb.NewSelect().Model((*derivative)(nil)).Column("object_key").Where("media_id = ?", mediaID).Scan(ctx, &derived); err != nil {
		return nil, err
	}
	// Uploads in progress lose their reservation; the sweeper deletes
	// their bytes (tus data without a reservation).
	for _, model := range []any{(*pendingUpload)(nil), (*upload)(nil), (*derivative)(nil)} {
		if _, err := idb.NewDelete().Model(model).Where("media_id = ?", mediaID).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return append(keys, derived...), nil
}
