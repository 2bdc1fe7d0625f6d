package analytics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	gblob "gocloud.dev/blob"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
)

// The lake: every consumed catalog and engagement event, in Parquet files
// on an object store (a local directory, S3, GCS or Azure Blob Storage,
// through package blob), Hive-partitioned as events/type=…/dt=YYYY-MM-DD/hour=HH/.
//
// Object stores have no rename, so nothing here relies on one. Every file
// has a deterministic name (the sequence numbers of its first and last
// staged event) and is written in one PUT: an object is there whole or
// not at all, and writing the same name again from the same rows gives the
// same file. Exactly once: a consumer stages each event in
// analytics_lake_pending in the transaction that marks it handled. A flush
// claims staged rows for a file (recorded as writing), PUTs the file, and
// in one transaction deletes the rows and marks the file done. After a
// crash, files still writing are written again from the same claimed rows
// (replacing the same object). Compaction records its plan (target and
// sources) first, PUTs the merged file (its footer names its sources),
// deletes the sources, then commits; an interrupted compaction whose
// target exists only deletes what is left of its sources, one whose target
// does not exist merges again from sources none of which was deleted yet.

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

// LakeSourcesKey is the Parquet footer key (key-value metadata) of a
// compacted file: the keys of the files merged into it, one a line.
// Readers that list a partition while a compaction is under way can skip
// those files (or deduplicate by event_id).
const LakeSourcesKey = "alexandria.lake.sources"

type lake struct {
	bucket *blob.Bucket
	where  string // for logs: the scheme and bucket, or the directory
	// crashAfterWrite, in tests, stops a flush between writing a file and
	// committing it, as a killed process would.
	crashAfterWrite func(path string) bool
	// crashAfterMerge, in tests, stops a compaction after the merged file
	// is in place, before any source is deleted.
	crashAfterMerge func(path string) bool
}

// openLake opens the lake's store (see lakeURL).
func openLake(ctx context.Context, raw, dataDir string) (*lake, error) {
	u, dir, err := lakeURL(raw, dataDir)
	if err != nil {
		return nil, err
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("analytics lake: %w", err)
		}
	}
	b, err := blob.Open(ctx, blob.Config{URL: u}, dataDir)
	if err != nil {
		return nil, fmt.Errorf("analytics.lake_url: %w", err)
	}
	where := dir
	if where == "" {
		pu, _ := url.Parse(u)
		where = pu.Scheme + "://" + pu.Host
	}
	return &lake{bucket: b, where: where}, nil
}

func (l *lake) close() error { return l.bucket.Close() }

// partition is the Hive path of an event type's hour.
func partition(typ string, atMillis int64) string {
	t := time.UnixMilli(atMillis).UTC()
	return fmt.Sprintf("events/type=%s/dt=%s/hour=%02d", typ, t.Format("2006-01-02"), t.Hour())
}

// hourKey is the "YYYY-MM-DD/HH" of t, as partHour reads it back.
func hourKey(t time.Time) string {
	return t.UTC().Format("2006-01-02") + "/" + fmt.Sprintf("%02d", t.UTC().Hour())
}

// write PUTs rows as one Parquet object at path; sources (compaction)
// go into the footer. The file is encoded in memory first and put in one
// write, so a failure leaves no object (or the previous one) behind.
func (l *lake) write(ctx context.Context, path string, rows []LakeRow, sources []string) error {
	var opts []parquet.WriterOption
	if len(sources) > 0 {
		opts = append(opts, parquet.KeyValueMetadata(LakeSourcesKey, strings.Join(sources, "\n")))
	}
	var buf bytes.Buffer
	pw := parquet.NewGenericWriter[LakeRow](&buf, opts...)
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	if err := pw.Close(); err != nil {
		return err
	}
	return l.bucket.WriteAll(ctx, path, buf.Bytes(), &gblob.WriterOptions{ContentType: "application/vnd.apache.parquet"})
}

func (l *lake) read(ctx context.Context, path string) ([]LakeRow, error) {
	data, err := l.bucket.ReadAll(ctx, path)
	if err != nil {
		return nil, err
	}
	return parquet.Read[LakeRow](bytes.NewReader(data), int64(len(data)))
}

func (l *lake) exists(ctx context.Context, path string) (bool, error) {
	return l.bucket.Exists(ctx, path)
}

func (l *lake) remove(ctx context.Context, path string) error {
	return l.bucket.Remove(ctx, path)
}

// files lists the lake's Parquet files (keys under events/).
func (l *lake) files(ctx context.Context) ([]string, error) {
	keys, err := l.bucket.Keys(ctx, "events/")
	if err != nil {
		return nil, err
	}
	out := keys[:0]
	for _, k := range keys {
		if strings.HasSuffix(k, ".parquet") {
			out = append(out, k)
		}
	}
	return out, nil
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
	if err := s.lake.write(ctx, path, lakeRows(rows), nil); err != nil {
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
		first, last := seqSpan(sources)
		target := fmt.Sprintf("%s/compacted-%012d-%012d.parquet", p, first, last)
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
// place, then deletes the sources and commits. The target is checked, not
// rewritten, when it exists: its sources may be partly deleted already.
func (s *Service) finishCompaction(ctx context.Context, target string, sources []string) error {
	var n int64
	done, err := s.lake.exists(ctx, target)
	if err != nil {
		return fmt.Errorf("lake compaction %s: %w", target, err)
	}
	if !done {
		var all []LakeRow
		for _, src := range sources {
			rows, err := s.lake.read(ctx, src)
			if err != nil {
				// No source is deleted before the target exists, so a
				// missing one is damage from outside: stop, lose nothing.
				return fmt.Errorf("lake compaction read %s: %w", src, err)
			}
			all = append(all, rows...)
		}
		if err := s.lake.write(ctx, target, all, sources); err != nil {
			return fmt.Errorf("lake compaction write %s: %w", target, err)
		}
		n = int64(len(all))
		if s.lake.crashAfterMerge != nil && s.lake.crashAfterMerge(target) {
			return errCrash
		}
	} else {
		rows, err := s.lake.read(ctx, target)
		if err != nil {
			return fmt.Errorf("lake compaction read %s: %w", target, err)
		}
		n = int64(len(rows))
	}
	for _, src := range sources {
		if err := s.lake.remove(ctx, src); err != nil {
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

// seqSpan is the lowest first and highest last sequence number in the
// names of files (part-FIRST-LAST.parquet, compacted-FIRST-LAST.parquet).
func seqSpan(files []string) (first, last int64) {
	first = -1
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(path.Base(f), ".parquet"), "-")
		if len(parts) < 3 {
			continue
		}
		a, errA := strconv.ParseInt(parts[len(parts)-2], 10, 64)
		b, errB := strconv.ParseInt(parts[len(parts)-1], 10, 64)
		if errA != nil || errB != nil {
			continue
		}
		if first < 0 || a < first {
			first = a
		}
		if b > last {
			last = b
		}
	}
	if first < 0 {
		first = 0
	}
	return first, last
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
