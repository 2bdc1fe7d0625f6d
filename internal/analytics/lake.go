package analytics

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
)

// The lake: every consumed catalog and engagement event, in Parquet files
// under dir, Hive-partitioned as events/type=…/dt=YYYY-MM-DD/hour=HH/.
//
// Exactly once: a consumer stages each event in analytics_lake_pending in
// the transaction that marks it handled. A flush claims staged rows for a
// file (recorded as writing), writes the file (temporary name, then
// rename), and in one transaction deletes the rows and marks the file
// done. After a crash, files still writing are written again from the
// same claimed rows. Compaction records its plan first, renames the merged
// file into place, and only then deletes its sources.

// LakeRow is one event in the lake.
type LakeRow struct {
	EventID   string `parquet:"event_id,zstd"`
	EventType string `parquet:"event_type,dict,zstd"`
	Source    string `parquet:"source,dict,zstd"`
	Subject   string `parquet:"subject,zstd"`
	EventTime int64  `parquet:"event_time,timestamp(millisecond)"`
	Data      string `parquet:"data,zstd"`
}

const lakeBatch = 50000

type lake struct {
	dir string
	// crashAfterWrite, in tests, stops a flush between writing a file and
	// committing it, as a killed process would.
	crashAfterWrite func(path string) bool
}

// partition is the Hive path of an event type's hour.
func partition(typ string, atMillis int64) string {
	t := time.UnixMilli(atMillis).UTC()
	return fmt.Sprintf("events/type=%s/dt=%s/hour=%02d", typ, t.Format("2006-01-02"), t.Hour())
}

// hourKey is the "YYYY-MM-DD/HH" of t, as partHour reads it back.
func hourKey(t time.Time) string {
	return t.UTC().Format("2006-01-02") + "/" + fmt.Sprintf("%02d", t.UTC().Hour())
}

func (l *lake) write(path string, rows []LakeRow) error {
	full := filepath.Join(l.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o750); err != nil {
		return err
	}
	tmp := full + ".tmp"
	if err := parquet.WriteFile(tmp, rows); err != nil {
		return err
	}
	return os.Rename(tmp, full)
}

func (l *lake) read(path string) ([]LakeRow, error) {
	return parquet.ReadFile[LakeRow](filepath.Join(l.dir, filepath.FromSlash(path)))
}

func (l *lake) exists(path string) bool {
	_, err := os.Stat(filepath.Join(l.dir, filepath.FromSlash(path)))
	return err == nil
}

func (l *lake) remove(path string) error {
	err := os.Remove(filepath.Join(l.dir, filepath.FromSlash(path)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func lakeRows(rows []pendingRow) []LakeRow {
	out := make([]LakeRow, len(rows))
	for i, r := range rows {
		out[i] = LakeRow{EventID: r.EventID, EventType: r.Type, Source: r.Source, Subject: r.Subject, EventTime: r.At, Data: r.Data}
	}
	return out
}

var errCrash = errors.New("lake: simulated crash")

// flushLake finishes interrupted files, then writes every staged event.
// It returns how many events it wrote.
func (s *Service) flushLake(ctx context.Context) (int, error) {
	s.lakeMu.Lock()
	defer s.lakeMu.Unlock()
	written := 0
	for {
		open, err := s.store.lakeFiles(ctx, "writing")
		if err != nil {
			return written, err
		}
		for _, f := range open {
			n, err := s.writeClaimed(ctx, f.Path)
			written += n
			if err != nil {
				return written, err
			}
		}
		rows, err := s.store.unclaimed(ctx, lakeBatch)
		if err != nil || len(rows) == 0 {
			return written, err
		}
		groups := map[string][]pendingRow{}
		for _, r := range rows {
			p := partition(r.Type, r.At)
			groups[p] = append(groups[p], r)
		}
		files := map[string][]pendingRow{}
		err = s.store.Tx(ctx, func(tx *Store) error {
			for p, rs := range groups {
				// rows come in seq order: the first and last name the file.
				path := fmt.Sprintf("%s/part-%012d-%012d.parquet", p, rs[0].Seq, rs[len(rs)-1].Seq)
				seqs := make([]int64, len(rs))
				for i, r := range rs {
					seqs[i] = r.Seq
				}
				if err := tx.claim(ctx, path, p, seqs); err != nil {
					return err
				}
				files[path] = rs
			}
			return nil
		})
		if err != nil {
			return written, err
		}
		// Write what was just claimed from memory; a crash from here on is
		// resumed from the claimed rows above.
		for path, rs := range files {
			n, err := s.commitFile(ctx, path, rs)
			written += n
			if err != nil {
				return written, err
			}
		}
	}
}

// writeClaimed writes a claimed file and commits it.
func (s *Service) writeClaimed(ctx context.Context, path string) (int, error) {
	rows, err := s.store.claimed(ctx, path)
	if err != nil {
		return 0, err
	}
	return s.commitFile(ctx, path, rows)
}

// commitFile writes a claimed file's rows, then records it written and
// forgets its staged rows in one transaction.
func (s *Service) commitFile(ctx context.Context, path string, rows []pendingRow) (int, error) {
	if err := s.lake.write(path, lakeRows(rows)); err != nil {
		return 0, fmt.Errorf("lake write %s: %w", path, err)
	}
	if s.lake.crashAfterWrite != nil && s.lake.crashAfterWrite(path) {
		return 0, errCrash
	}
	if err := s.store.Tx(ctx, func(tx *Store) error { return tx.fileWritten(ctx, path, int64(len(rows))) }); err != nil {
		return 0, err
	}
	s.metrics.lakeRows.Add(float64(len(rows)))
	s.metrics.lakeFiles.WithLabelValues("written").Inc()
	return len(rows), nil
}

// compactLake merges the files of each partition whose hour ended before
// cutoff into one, finishing interrupted compactions first.
func (s *Service) compactLake(ctx context.Context, cutoff time.Time) (int, error) {
	s.lakeMu.Lock()
	defer s.lakeMu.Unlock()
	open, err := s.store.lakeFiles(ctx, "compacting")
	if err != nil {
		return 0, err
	}
	for _, f := range open {
		if err := s.finishCompaction(ctx, f.Path, strings.Split(f.Sources, "\n")); err != nil {
			return 0, err
		}
	}
	parts, err := s.store.compactable(ctx)
	if err != nil {
		return 0, err
	}
	done := 0
	limit := hourKey(cutoff.Truncate(time.Hour))
	for _, p := range parts {
		if partHour(p) >= limit {
			continue
		}
		files, err := s.store.lakeFiles(ctx, "done")
		if err != nil {
			return done, err
		}
		var sources []string
		for _, f := range files {
			if f.Part == p {
				sources = append(sources, f.Path)
			}
		}
		if len(sources) < 2 {
			continue
		}
		sort.Strings(sources)
		target := fmt.Sprintf("%s/compacted-%s-%s.parquet", p, seqSpan(sources[0], true), seqSpan(sources[len(sources)-1], false))
		if err := s.store.Tx(ctx, func(tx *Store) error { return tx.planCompaction(ctx, target, p, sources) }); err != nil {
			return done, err
		}
		if err := s.finishCompaction(ctx, target, sources); err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

// finishCompaction writes target from sources unless it is already in
// place, then deletes the sources and commits.
func (s *Service) finishCompaction(ctx context.Context, target string, sources []string) error {
	var n int64
	if !s.lake.exists(target) {
		var all []LakeRow
		for _, src := range sources {
			rows, err := s.lake.read(src)
			if err != nil {
				return fmt.Errorf("lake compaction read %s: %w", src, err)
			}
			all = append(all, rows...)
		}
		if err := s.lake.write(target, all); err != nil {
			return fmt.Errorf("lake compaction write %s: %w", target, err)
		}
		n = int64(len(all))
	} else {
		rows, err := s.lake.read(target)
		if err != nil {
			return fmt.Errorf("lake compaction read %s: %w", target, err)
		}
		n = int64(len(rows))
	}
	for _, src := range sources {
		if err := s.lake.remove(src); err != nil {
			return fmt.Errorf("lake compaction remove %s: %w", src, err)
		}
	}
	if err := s.store.Tx(ctx, func(tx *Store) error { return tx.compacted(ctx, target, sources, n) }); err != nil {
		return err
	}
	s.metrics.lakeFiles.WithLabelValues("compacted").Inc()
	return nil
}

// partHour extracts "YYYY-MM-DD/HH" from a partition path.
func partHour(p string) string {
	var dt, hour string
	for _, seg := range strings.Split(p, "/") {
		if v, ok := strings.CutPrefix(seg, "dt="); ok {
			dt = v
		}
		if v, ok := strings.CutPrefix(seg, "hour="); ok {
			hour = v
		}
	}
	return dt + "/" + hour
}

// seqSpan reads the first or last sequence number out of a file name.
func seqSpan(path string, first bool) string {
	name := strings.TrimSuffix(filepath.Base(path), ".parquet")
	parts := strings.Split(name, "-")
	if len(parts) < 3 {
		return name
	}
	if first {
		return parts[1]
	}
	return parts[len(parts)-1]
}

// runLake flushes staged events to the lake every interval and compacts
// closed hours.
func (s *Service) runLake(interval, compactAfter time.Duration) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
				defer cancel()
				if _, err := s.flushLake(final); err != nil {
					s.log.ErrorContext(final, "analytics: last lake flush failed", slog.Any("error", err))
				}
				return ctx.Err()
			case <-t.C:
			}
			if _, err := s.flushLake(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "analytics: lake flush failed, will retry", slog.Any("error", err))
			}
			if _, err := s.compactLake(ctx, s.now().Add(-compactAfter)); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "analytics: lake compaction failed, will retry", slog.Any("error", err))
			}
		}
	}
}
