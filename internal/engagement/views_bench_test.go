package engagement

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// BenchmarkCountViews measures the counting of views alone (no HTTP):
// batches of 50,000 distinct views through flushViews (dedup against the
// hour's keys, unique-viewer sketches, counters, one event per item), next
// to the raw ceiling of the same store in the same run: the same number of
// rows written with multi-row INSERTs in one transaction and nothing else.
// The ratio is the median of five rounds, each comparing a counted batch
// with a raw one run next to it.
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
			var raws, counts, ratios []float64
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
				var raw, took time.Duration
				if round%2 == 0 {
					raw = rawInsert(ctx, b, svc, keys)
					took = count()
				} else {
					took = count()
					raw = rawInsert(ctx, b, svc, keys)
				}
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
