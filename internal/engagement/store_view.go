package engagement

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
)

// viewKey is one counted view: a viewer, an item and an hour.
type viewKey struct {
	MediaID string `bun:"media_id"`
	Viewer  string `bun:"viewer"`
	Hour    int64  `bun:"hour"`
}

// daySalt returns the salt of day, making it on first use; salts of other
// days are deleted, so yesterday's hashes can no longer be recomputed.
func (s *Store) daySalt(ctx context.Context, day string) ([]byte, error) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	if _, err := s.exec(ctx, "INSERT INTO view_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING",
		day, hex.EncodeToString(b[:])); err != nil {
		return nil, fmt.Errorf("view salt: %w", err)
	}
	if _, err := s.exec(ctx, "DELETE FROM view_salts WHERE day <> ?", day); err != nil {
		return nil, fmt.Errorf("view salt: %w", err)
	}
	var salt []string
	if err := s.idb.NewRaw("SELECT salt FROM view_salts WHERE day = ?", day).Scan(ctx, &salt); err != nil || len(salt) == 0 {
		return nil, fmt.Errorf("view salt: %w", err)
	}
	return hex.DecodeString(salt[0])
}

// viewChunk is how many rows one INSERT carries.
const viewChunk = 400

// insertNew inserts rows of (media_id, viewer[, hour]) into table, ignoring
// those already there, and returns how many were new per item.
func (s *Store) insertNew(ctx context.Context, table string, keys []viewKey, withHour bool) (map[string]int64, error) {
	out := map[string]int64{}
	cols, per := "viewer, media_id", "(?, ?)"
	conflict := "viewer, media_id"
	if withHour {
		cols, per, conflict = "viewer, media_id, hour", "(?, ?, ?)", "viewer, media_id, hour"
	}
	for start := 0; start < len(keys); start += viewChunk {
		chunk := keys[start:min(start+viewChunk, len(keys))]
		args := make([]any, 0, 3*len(chunk))
		vals := make([]byte, 0, len(chunk)*len(per)+2*len(chunk))
		for i, k := range chunk {
			if i > 0 {
				vals = append(vals, ", "...)
			}
			vals = append(vals, per...)
			args = append(args, k.Viewer, k.MediaID)
			if withHour {
				args = append(args, k.Hour)
			}
		}
		var inserted []viewKey
		q := "INSERT INTO " + table + " (" + cols + ") VALUES " + string(vals) +
			" ON CONFLICT (" + conflict + ") DO NOTHING RETURNING media_id, viewer"
		if err := s.idb.NewRaw(q, args...).Scan(ctx, &inserted); err != nil {
			return nil, fmt.Errorf("%s: %w", table, err)
		}
		for _, k := range inserted {
			out[k.MediaID]++
		}
	}
	return out, nil
}

// countViews stores a batch of distinct views: each viewer, item and hour
// counts once whatever earlier batches held. It returns the views and new
// unique viewers counted per item.
func (s *Store) countViews(ctx context.Context, keys []viewKey) (map[string]mediaCounts, error) {
	if s.db.Dialect == db.SQLite {
		// A batch touches pages all over the two keyed tables: with
		// SQLite's default 2 MB page cache a large batch spills pages to
		// the WAL mid-transaction. 64 MB (this connection only).
		if _, err := s.exec(ctx, "PRAGMA cache_size = -65536"); err != nil {
			return nil, fmt.Errorf("view batch: %w", err)
		}
	}
	fresh, err := s.insertNew(ctx, "view_hours", keys, true)
	if err != nil {
		return nil, err
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	// Only viewers with a new hour can be new viewers of the item.
	var candidates []viewKey
	for _, k := range keys {
		if fresh[k.MediaID] > 0 {
			candidates = append(candidates, k)
		}
	}
	unique, err := s.insertNew(ctx, "viewers", dedupeViewers(candidates), false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]mediaCounts, len(fresh))
	for id, n := range fresh {
		c := mediaCounts{Views: n, UniqueViewers: unique[id]}
		if err := s.addMediaStats(ctx, id, c); err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, nil
}

func dedupeViewers(keys []viewKey) []viewKey {
	seen := map[[2]string]bool{}
	out := keys[:0:0]
	for _, k := range keys {
		if !seen[[2]string{k.MediaID, k.Viewer}] {
			seen[[2]string{k.MediaID, k.Viewer}] = true
			out = append(out, k)
		}
	}
	return out
}

// pruneViewHours drops the per-hour rows of hours before since: they only
// serve to count a viewer once per item and hour, so the table stays the
// size of about one hour of views.
func (s *Store) pruneViewHours(ctx context.Context, since int64) error {
	_, err := s.exec(ctx, "DELETE FROM view_hours WHERE hour < ?", since)
	return err
}
