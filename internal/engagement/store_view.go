package engagement

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
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

// pendingView is a view as counting needs it: its dedup key (a hash of
// viewer, item and hour: 63 bits; a collision, about n²/2⁶⁴ for n views in
// an hour, would drop one view), the item and hour, and the viewer's hash
// for the item's sketch (not the viewer).
type pendingView struct {
	Key        int64
	MediaID    string
	Hour       int64
	ViewerHash uint64
}

func newPendingView(k viewKey) pendingView {
	key, viewer := domain.ViewHashes(k.Viewer, k.MediaID, k.Hour)
	return pendingView{Key: int64(key >> 1), MediaID: k.MediaID, Hour: k.Hour, ViewerHash: viewer}
}

// rowPlaceholders returns n copies of per separated by commas.
func rowPlaceholders(per string, n int) string {
	b := make([]byte, 0, n*(len(per)+2))
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, per...)
	}
	return string(b)
}

// viewArrayChunk is how many keys one view_hours statement carries: the
// keys travel as one array value (a PostgreSQL bigint[] literal, a JSON
// array that SQLite's json_each unrolls), not as a placeholder pair per row,
// so the store parses one value instead of thousands of row expressions.
const viewArrayChunk = 10000

// freshViews inserts the views' hour keys, ignoring those already there,
// and returns the views that were not counted yet this hour. views must
// have distinct keys; they are sorted by hour and key.
func (s *Store) freshViews(ctx context.Context, views []pendingView) ([]pendingView, error) {
	// In key order, each statement walks the B-tree's pages once, left to
	// right, instead of jumping around it.
	slices.SortFunc(views, func(a, b pendingView) int {
		if c := cmp.Compare(a.Hour, b.Hour); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	q := "INSERT INTO view_hours (k, hour) SELECT value, ? FROM json_each(?) WHERE true ON CONFLICT (k) DO NOTHING RETURNING k"
	open, closing := byte('['), byte(']')
	if s.db.Dialect == db.Postgres {
		q = "INSERT INTO view_hours (k, hour) SELECT k, ? FROM unnest(CAST(? AS bigint[])) AS t(k) ON CONFLICT (k) DO NOTHING RETURNING k"
		open, closing = '{', '}'
	}
	var out []pendingView
	var inserted []int64
	list := make([]byte, 0, 20*min(len(views), viewArrayChunk)+2)
	for start := 0; start < len(views); {
		// One hour per statement (a batch spans two at most).
		end := start + 1
		for end < len(views) && end-start < viewArrayChunk && views[end].Hour == views[start].Hour {
			end++
		}
		chunk := views[start:end]
		start = end
		list = append(list[:0], open)
		for i, v := range chunk {
			if i > 0 {
				list = append(list, ',')
			}
			list = strconv.AppendInt(list, v.Key, 10)
		}
		list = append(list, closing)
		inserted = inserted[:0]
		if err := s.idb.NewRaw(q, chunk[0].Hour, string(list)).Scan(ctx, &inserted); err != nil {
			return nil, fmt.Errorf("view_hours: %w", err)
		}
		if len(inserted) == len(chunk) {
			out = append(out, chunk...)
			continue
		}
		for _, k := range inserted {
			if i, ok := slices.BinarySearchFunc(chunk, k, func(v pendingView, k int64) int { return cmp.Compare(v.Key, k) }); ok {
				out = append(out, chunk[i])
			}
		}
	}
	return out, nil
}

// sketchRow is one item's viewer sketch.
type sketchRow struct {
	MediaID   string `bun:"media_id"`
	Registers []byte `bun:"registers"`
}

// loadSketches reads the viewer sketches of ids (locked on PostgreSQL, so
// that two replicas flushing at once do not lose each other's viewers).
func (s *Store) loadSketches(ctx context.Context, ids []string) (map[string]domain.ViewerSketch, error) {
	out := make(map[string]domain.ViewerSketch, len(ids))
	lock := ""
	if s.db.Dialect == db.Postgres {
		lock = " FOR UPDATE"
	}
	for start := 0; start < len(ids); start += viewChunk {
		var rows []sketchRow
		if err := s.idb.NewRaw("SELECT media_id, registers FROM view_sketches WHERE media_id IN (?)"+lock,
			bun.List(ids[start:min(start+viewChunk, len(ids))])).Scan(ctx, &rows); err != nil {
			return nil, fmt.Errorf("view sketches: %w", err)
		}
		for _, r := range rows {
			out[r.MediaID] = domain.LoadViewerSketch(r.Registers)
		}
	}
	return out, nil
}

// countViews stores a batch of views: each viewer, item and hour counts
// once whatever earlier batches held. It returns the views and new unique
// viewers (estimated by the item's sketch) counted per item.
func (s *Store) countViews(ctx context.Context, keys []viewKey) (map[string]mediaCounts, error) {
	views := make(map[int64]pendingView, len(keys))
	for _, k := range keys {
		v := newPendingView(k)
		views[v.Key] = v
	}
	batch := make([]pendingView, 0, len(views))
	for _, v := range views {
		batch = append(batch, v)
	}
	return s.countPending(ctx, batch)
}

// countPending is countViews for views already hashed, with distinct keys.
func (s *Store) countPending(ctx context.Context, views []pendingView) (map[string]mediaCounts, error) {
	fresh, err := s.freshViews(ctx, views)
	if err != nil || len(fresh) == 0 {
		return nil, err
	}
	viewersOf := map[string][]uint64{}
	for _, v := range fresh {
		viewersOf[v.MediaID] = append(viewersOf[v.MediaID], v.ViewerHash)
	}
	ids := make([]string, 0, len(viewersOf))
	for id := range viewersOf {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	sketches, err := s.loadSketches(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]mediaCounts, len(ids))
	var grown []string
	for _, id := range ids {
		sk, ok := sketches[id]
		if !ok {
			sk = domain.NewViewerSketch()
			sketches[id] = sk
		}
		before, changed := sk.Estimate(), false
		for _, h := range viewersOf[id] {
			changed = sk.Add(h) || changed
		}
		c := mediaCounts{Views: int64(len(viewersOf[id]))}
		if changed {
			grown = append(grown, id)
			c.UniqueViewers = max(0, sk.Estimate()-before)
		}
		out[id] = c
	}
	if err := s.saveSketches(ctx, grown, sketches); err != nil {
		return nil, err
	}
	if err := s.addViewStats(ctx, ids, out); err != nil {
		return nil, err
	}
	return out, nil
}

// saveSketches writes the sketches of ids back.
func (s *Store) saveSketches(ctx context.Context, ids []string, sketches map[string]domain.ViewerSketch) error {
	const per = 50 // 4 KiB each
	for start := 0; start < len(ids); start += per {
		chunk := ids[start:min(start+per, len(ids))]
		args := make([]any, 0, 2*len(chunk))
		for _, id := range chunk {
			args = append(args, id, []byte(sketches[id]))
		}
		if _, err := s.exec(ctx, "INSERT INTO view_sketches (media_id, registers) VALUES "+rowPlaceholders("(?, ?)", len(chunk))+
			" ON CONFLICT (media_id) DO UPDATE SET registers = EXCLUDED.registers", args...); err != nil {
			return fmt.Errorf("view sketches: %w", err)
		}
	}
	return nil
}

// addViewStats adds counted views and unique viewers to the items' counts,
// one multi-row upsert per chunk of items.
func (s *Store) addViewStats(ctx context.Context, ids []string, counts map[string]mediaCounts) error {
	for start := 0; start < len(ids); start += viewChunk {
		chunk := ids[start:min(start+viewChunk, len(ids))]
		args := make([]any, 0, 3*len(chunk))
		for _, id := range chunk {
			args = append(args, id, counts[id].Views, counts[id].UniqueViewers)
		}
		if _, err := s.exec(ctx, "INSERT INTO media_stats (media_id, views, unique_viewers) VALUES "+rowPlaceholders("(?, ?, ?)", len(chunk))+
			` ON CONFLICT (media_id) DO UPDATE SET views = media_stats.views + EXCLUDED.views,
			unique_viewers = media_stats.unique_viewers + EXCLUDED.unique_viewers`, args...); err != nil {
			return fmt.Errorf("media stats: %w", err)
		}
	}
	return nil
}

// pruneViewHours drops the per-hour rows of hours before since: they only
// serve to count a viewer once per item and hour, so the table stays the
// size of about one hour of views.
func (s *Store) pruneViewHours(ctx context.Context, since int64) error {
	_, err := s.exec(ctx, "DELETE FROM view_hours WHERE hour < ?", since)
	return err
}
