package engagement

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// BenchmarkCountViews measures the counting of views alone (no HTTP):
// batches of 50,000 distinct views through flushViews (dedup against the
// hour's keys, unique-viewer sketches, counters, one event per item), next
// to the raw ceiling of the same store in the same run: the same number of
// rows written with multi-row INSERTs in one transaction and nothing else.
// The ratio is the median of five rounds, each comparing a counted batch
// with a raw one run next to it. A second ceiling writes the rows as the
// counting does since it passes keys as one array value per 10,000 rows
// (unnest on PostgreSQL, json_each on SQLite): x_raw_array is the ratio to
// that one, the fairer of the two now.
func BenchmarkCountViews(b *testing.B) {
	for _, s := range moduletest.Stores(b) {
		b.Run(s.Name, func(b *testing.B) {
			h := moduletest.NewHarness(b, s)
			cfg := DefaultConfig()
			// The flusher stays out of the way: the benchmark flushes.
			cfg.ViewFlushInterval, cfg.ViewBufferLimit = time.Minute, 1_000_000
			svc, err := New(context.Background(), cfg, h.Deps)
			if err != nil {
				b.Fatal(err)
			}
			h.Start(b, svc)
			ctx := context.Background()
			const n = 50000
			media := make([]string, 20)
			for i := range media {
				media[i] = uuid.NewString()
			}
			if _, err := svc.db.ExecContext(ctx, "CREATE TABLE bench_views (media_id TEXT NOT NULL, viewer TEXT NOT NULL, hour BIGINT NOT NULL)"); err != nil {
				b.Fatal(err)
			}
			// Five rounds, each a raw batch and a counted one of the same
			// size (new viewers, so every view is new), the two in turn and
			// in alternating order: the machine is shared and noisy, so each
			// round's ratio compares two batches run next to each other, and
			// the median round is reported.
			const rounds = 5
			b.StopTimer()
			var raws, counts, ratios, arrayRaws, arrayRatios []float64
			for round := range rounds {
				keys := make([]viewKey, n)
				for i := range keys {
					keys[i] = viewKey{MediaID: media[i%len(media)], Viewer: fmt.Sprintf("a:%08x%024x", round, i), Hour: 1}
				}
				count := func() time.Duration {
					b.StartTimer()
					t1 := time.Now()
					for _, k := range keys {
						svc.views.add(k)
					}
					counted, err := svc.flushViews(ctx)
					if err != nil || counted != n {
						b.Fatalf("flush: %d, %v", counted, err)
					}
					took := time.Since(t1)
					b.StopTimer()
					return took
				}
				var raw, arrayRaw, took time.Duration
				if round%2 == 0 {
					raw = rawInsert(ctx, b, svc, keys)
					arrayRaw = rawArrayInsert(ctx, b, svc, keys)
					took = count()
				} else {
					took = count()
					arrayRaw = rawArrayInsert(ctx, b, svc, keys)
					raw = rawInsert(ctx, b, svc, keys)
				}
				arrayRaws = append(arrayRaws, float64(n)/arrayRaw.Seconds())
				arrayRatios = append(arrayRatios, arrayRaw.Seconds()/took.Seconds())
				raws = append(raws, float64(n)/raw.Seconds())
				counts = append(counts, float64(n)/took.Seconds())
				ratios = append(ratios, raw.Seconds()/took.Seconds())
			}
			st, err := svc.store.mediaStats(ctx, media[0])
			perItem := int64(rounds * n / len(media))
			if err != nil || st.Views != perItem || math.Abs(float64(st.UniqueViewers-perItem)) > 3*domain.SketchError*float64(perItem) {
				b.Fatalf("counted %+v, %v", st, err)
			}
			b.ReportMetric(median(counts), "views/s")
			b.ReportMetric(median(raws), "raw_rows/s")
			b.ReportMetric(median(ratios), "x_raw")
			b.ReportMetric(slices.Min(ratios), "x_raw_worst_round")
			b.ReportMetric(median(arrayRaws), "raw_array_rows/s")
			b.ReportMetric(median(arrayRatios), "x_raw_array")
			b.ReportMetric(slices.Min(arrayRatios), "x_raw_array_worst_round")
		})
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// rawInsert writes keys into bench_views with multi-row INSERTs in one
// transaction and returns how long it took: the store's ceiling.
func rawInsert(ctx context.Context, b *testing.B, svc *Service, keys []viewKey) time.Duration {
	b.Helper()
	t0 := time.Now()
	tx, err := svc.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for lo := 0; lo < len(keys); lo += viewChunk {
		hi := min(lo+viewChunk, len(keys))
		args := make([]any, 0, 3*(hi-lo))
		vals := make([]string, 0, hi-lo)
		for _, k := range keys[lo:hi] {
			args = append(args, k.MediaID, k.Viewer, k.Hour)
			vals = append(vals, "(?, ?, ?)")
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO bench_views (media_id, viewer, hour) VALUES "+strings.Join(vals, ", "), args...); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return time.Since(t0)
}

// rawArrayInsert writes keys into bench_views in one transaction, 10,000
// rows a statement, each column one array value: the ceiling for rows
// passed the way freshViews passes its keys.
func rawArrayInsert(ctx context.Context, b *testing.B, svc *Service, keys []viewKey) time.Duration {
	b.Helper()
	t0 := time.Now()
	tx, err := svc.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for lo := 0; lo < len(keys); lo += viewArrayChunk {
		chunk := keys[lo:min(lo+viewArrayChunk, len(keys))]
		var q string
		var args []any
		if svc.db.Dialect == db.Postgres {
			// IDs and hex viewers hold no commas, quotes or braces.
			var media, viewers, hours strings.Builder
			for i, k := range chunk {
				sep := ","
				if i == 0 {
					sep = "{"
				}
				media.WriteString(sep + k.MediaID)
				viewers.WriteString(sep + k.Viewer)
				hours.WriteString(sep + strconv.FormatInt(k.Hour, 10))
			}
			q = "INSERT INTO bench_views (media_id, viewer, hour) SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]))"
			args = []any{media.String() + "}", viewers.String() + "}", hours.String() + "}"}
		} else {
			rows := make([][3]any, len(chunk))
			for i, k := range chunk {
				rows[i] = [3]any{k.MediaID, k.Viewer, k.Hour}
			}
			js, _ := json.Marshal(rows)
			q = "INSERT INTO bench_views (media_id, viewer, hour) SELECT value->>0, value->>1, value->>2 FROM json_each(?)"
			args = []any{string(js)}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return time.Since(t0)
}
