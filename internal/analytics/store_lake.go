package analytics

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// stageLake keeps a consumed event until a lake file holding it commits.
// The consumer's transaction also marks the event handled, so a
// redelivered event is never staged twice.
func (s *Store) stageLake(ctx context.Context, e bus.Event) error {
	_, err := s.exec(ctx, `INSERT INTO analytics_lake_pending (event_id, event_type, source, subject, at, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (event_id) DO NOTHING`, e.ID, e.Type, e.Source, e.Subject, e.Time.UnixMilli(), string(e.Data))
	if err != nil {
		return fmt.Errorf("lake stage: %w", err)
	}
	return nil
}

type pendingRow struct {
	Seq     int64  `bun:"seq"`
	EventID string `bun:"event_id"`
	Type    string `bun:"event_type"`
	Source  string `bun:"source"`
	Subject string `bun:"subject"`
	At      int64  `bun:"at"`
	Data    string `bun:"data"`
}

// unclaimed lists staged events no file has claimed yet, oldest first.
func (s *Store) unclaimed(ctx context.Context, limit int) ([]pendingRow, error) {
	var out []pendingRow
	err := s.idb.NewRaw(`SELECT seq, event_id, event_type, source, subject, at, data FROM analytics_lake_pending
		WHERE file IS NULL ORDER BY seq LIMIT ?`, limit).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("lake pending: %w", err)
	}
	return out, nil
}

// claim assigns rows to a file about to be written.
func (s *Store) claim(ctx context.Context, path, part string, seqs []int64) error {
	if _, err := s.exec(ctx, "INSERT INTO analytics_lake_files (path, part, state) VALUES (?, ?, 'writing')", path, part); err != nil {
		return fmt.Errorf("lake claim %s: %w", path, err)
	}
	n, err := s.exec(ctx, "UPDATE analytics_lake_pending SET file = ? WHERE seq IN (?) AND file IS NULL", path, bun.List(seqs))
	if err != nil {
		return fmt.Errorf("lake claim %s: %w", path, err)
	}
	if n != int64(len(seqs)) { // another replica claimed some: start over
		return fmt.Errorf("lake claim %s: %d of %d rows already claimed", path, int64(len(seqs))-n, len(seqs))
	}
	return nil
}

type lakeFile struct {
	Path     string `bun:"path"`
	Part     string `bun:"part"`
	State    string `bun:"state"`
	RowCount int64  `bun:"row_count"`
	Sources  string `bun:"sources"`
}

func (s *Store) lakeFiles(ctx context.Context, state string) ([]lakeFile, error) {
	var out []lakeFile
	if err := s.idb.NewRaw("SELECT path, part, state, row_count, sources FROM analytics_lake_files WHERE state = ? ORDER BY path", state).
		Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("lake files: %w", err)
	}
	return out, nil
}

func (s *Store) claimed(ctx context.Context, path string) ([]pendingRow, error) {
	var out []pendingRow
	err := s.idb.NewRaw(`SELECT seq, event_id, event_type, source, subject, at, data FROM analytics_lake_pending
		WHERE file = ? ORDER BY seq`, path).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("lake claimed %s: %w", path, err)
	}
	return out, nil
}

// fileWritten records a written file and forgets the events it holds.
func (s *Store) fileWritten(ctx context.Context, path string, rows int64) error {
	if _, err := s.exec(ctx, "DELETE FROM analytics_lake_pending WHERE file = ?", path); err != nil {
		return fmt.Errorf("lake commit %s: %w", path, err)
	}
	if _, err := s.exec(ctx, "UPDATE analytics_lake_files SET state = 'done', row_count = ? WHERE path = ?", rows, path); err != nil {
		return fmt.Errorf("lake commit %s: %w", path, err)
	}
	return nil
}

// compactable lists partitions with more than one written file.
func (s *Store) compactable(ctx context.Context) ([]string, error) {
	var out []string
	err := s.idb.NewRaw(`SELECT part FROM analytics_lake_files WHERE state = 'done'
		GROUP BY part HAVING COUNT(*) > 1 ORDER BY part`).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("lake compactable: %w", err)
	}
	return out, nil
}

// planCompaction records that sources are being merged into path.
func (s *Store) planCompaction(ctx context.Context, path, part string, sources []string) error {
	if _, err := s.exec(ctx, "INSERT INTO analytics_lake_files (path, part, state, sources) VALUES (?, ?, 'compacting', ?)",
		path, part, strings.Join(sources, "\n")); err != nil {
		return fmt.Errorf("lake compaction %s: %w", path, err)
	}
	return nil
}

// compacted forgets the sources and marks the merged file written.
func (s *Store) compacted(ctx context.Context, path string, sources []string, rows int64) error {
	if _, err := s.exec(ctx, "DELETE FROM analytics_lake_files WHERE path IN (?)", bun.List(sources)); err != nil {
		return fmt.Errorf("lake compaction %s: %w", path, err)
	}
	if _, err := s.exec(ctx, "UPDATE analytics_lake_files SET state = 'done', row_count = ?, sources = '' WHERE path = ?", rows, path); err != nil {
		return fmt.Errorf("lake compaction %s: %w", path, err)
	}
	return nil
}
