package engagement

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// BenchmarkCountViews measures the counting of views alone (no HTTP): one
// batch of 50,000 distinct views through flushViews (dedup against earlier
// hours, unique viewers, counters, one event per item), next to the raw
// ceiling of the same store in the same run: the same rows written with
// multi-row INSERTs in one transaction and nothing else.
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
			keys := make([]viewKey, n)
			for i := range keys {
				keys[i] = viewKey{MediaID: media[i%len(media)], Viewer: fmt.Sprintf("a:%032x", i), Hour: 1}
			}
			if _, err := svc.db.ExecContext(ctx, "CREATE TABLE bench_views (media_id TEXT NOT NULL, viewer TEXT NOT NULL, hour BIGINT NOT NULL)"); err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			tx, err := svc.db.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			for lo := 0; lo < n; lo += viewChunk {
				hi := min(lo+viewChunk, n)
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
			raw := time.Since(t0)

			b.ResetTimer()
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
			st, err := svc.store.mediaStats(ctx, media[0])
			if err != nil || st.Views != n/int64(len(media)) {
				b.Fatalf("counted %+v, %v", st, err)
			}
			b.ReportMetric(float64(n)/took.Seconds(), "views/s")
			b.ReportMetric(float64(n)/raw.Seconds(), "raw_rows/s")
			b.ReportMetric(raw.Seconds()/took.Seconds(), "x_raw")
		})
	}
}
