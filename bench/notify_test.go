package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/notify"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// BenchmarkNotifyFanout: an author with 100,000 followers (BENCH_FANOUT_N)
// publishes; the time until every follower's inbox has the item, as
// rows/s, against the ceiling of the same store: the same number of inbox
// rows written by plain multi-row INSERTs, 1,000 per transaction, with
// nothing else to do. "x_ceiling" is fan-out rows/s ÷ ceiling rows/s.
func BenchmarkNotifyFanout(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_FANOUT_N")); err == nil && v > 0 {
		n = v
	}
	for _, s := range moduletest.Stores(b) {
		b.Run(s.Name, func(b *testing.B) {
			ctx := context.Background()
			h := moduletest.NewHarness(b, s)
			cfg := notify.DefaultConfig()
			cfg.FanoutDelay, cfg.PollInterval = 0, 10*time.Millisecond
			svc, err := notify.New(ctx, cfg, h.Deps)
			if err != nil {
				b.Fatal(err)
			}
			h.Start(b, svc)
			d, err := db.Open(ctx, h.Deps.DB, db.Options{Service: "notify", DataDir: h.Deps.DataDir, Schema: h.Deps.DBSchema})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			author := uuid.NewString()
			users := make([]string, n)
			for i := range users {
				users[i] = uuid.NewString()
			}
			insertBatches(b, d, n, func(i int) (string, []any) {
				return "(?, 'author', ?)", []any{users[i], author}
			}, "INSERT INTO follows (user_id, target_type, target_id) VALUES ")
			var fanout, ceiling time.Duration
			for i := 0; i < b.N; i++ {
				// Ceiling: the same rows, written as fast as the store takes them.
				key := "raw:" + uuid.NewString()
				now := time.Now().UTC()
				start := time.Now()
				insertBatches(b, d, n, func(j int) (string, []any) {
					return "(?, ?, 'media.published', 'New: x', 'x', 'media/x', ?, ?)", []any{uuid.Must(uuid.NewV7()).String(), users[j], key, now}
				}, "INSERT INTO notifications (id, user_id, type, title, body, subject, source_key, created_at) VALUES ")
				ceiling += time.Since(start)

				media := uuid.NewString()
				data, _ := json.Marshal(map[string]any{"id": media, "title": "Bench", "kind": "video", "status": "published",
					"author_ids": []string{author}, "category_ids": []string{}, "tags": []string{}, "version": 1})
				e := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: "catalog.media.published.v1", Source: "/alexandria/catalog",
					Subject: "media/" + media, Key: media, Time: time.Now().UTC(), Data: data}
				start = time.Now()
				if err := h.Deps.Bus.Publisher().Publish(bus.Topic("catalog"), e.Message()); err != nil {
					b.Fatal(err)
				}
				for {
					var done []bool
					if err := d.NewRaw("SELECT done FROM fanout_jobs WHERE media_id = ?", media).Scan(ctx, &done); err != nil {
						b.Fatal(err)
					}
					if len(done) == 1 && done[0] {
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
				fanout += time.Since(start)
				var count []int64
				if err := d.NewRaw("SELECT COUNT(*) FROM notifications WHERE source_key = ?", "published:"+media).Scan(ctx, &count); err != nil {
					b.Fatal(err)
				}
				if count[0] != int64(n) {
					b.Fatalf("fan-out wrote %d inbox rows, want %d", count[0], n)
				}
			}
			rows := float64(n) * float64(b.N)
			fo, ce := rows/fanout.Seconds(), rows/ceiling.Seconds()
			b.ReportMetric(fo, "fanout_rows/s")
			b.ReportMetric(ce, "ceiling_rows/s")
			b.ReportMetric(fo/ce, "x_ceiling")
		})
	}
}

// insertBatches writes n rows, 1,000 per statement and transaction.
func insertBatches(b *testing.B, d *db.DB, n int, row func(i int) (string, []any), prefix string) {
	b.Helper()
	ctx := context.Background()
	for lo := 0; lo < n; lo += 1000 {
		hi := min(lo+1000, n)
		var sb strings.Builder
		args := make([]any, 0, (hi-lo)*8)
		for i := lo; i < hi; i++ {
			tuple, a := row(i)
			if i > lo {
				sb.WriteString(", ")
			}
			sb.WriteString(tuple)
			args = append(args, a...)
		}
		tx, err := d.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.NewRaw(prefix+sb.String(), args...).Exec(ctx); err != nil {
			_ = tx.Rollback()
			b.Fatal(fmt.Errorf("batch at %d: %w", lo, err))
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}
