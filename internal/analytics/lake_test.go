package analytics

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// listLake lists the Parquet files in the lake, by key.
func listLake(t *testing.T, l *lake) []string {
	t.Helper()
	files, err := l.files(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readLake counts each event ID in the lake's files.
func readLake(t *testing.T, l *lake, files []string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, f := range files {
		rows, err := l.read(context.Background(), f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range rows {
			if !strings.Contains(f, "type="+r.EventType+"/") {
				t.Fatalf("%s holds a %s event", f, r.EventType)
			}
			seen[r.EventID]++
		}
	}
	return seen
}

func TestLakeWritesCompactsAndSurvivesACrash(t *testing.T) {
	now := time.Date(2026, 3, 11, 15, 30, 0, 0, time.UTC)
	forEachServer(t, now, nil, func(t *testing.T, c *api) {
		ctx := context.Background()
		sent := map[string]bool{}
		media := uuid.NewString()
		send := func(n int, at time.Time) {
			for i := range n {
				switch i % 3 {
				case 0:
					sent[c.publish("engagement", eventViewRecorded, "media/"+media, media, at, map[string]any{"media_id": media, "views": 1})] = true
				case 1:
					sent[c.publish("engagement", "engagement.report.created.v1", "report/x", "x", at, map[string]any{"id": uuid.NewString()})] = true
				default:
					sent[c.publish("catalog", "catalog.category.created.v1", "category/x", "x", at, map[string]any{"id": uuid.NewString()})] = true
				}
			}
			c.waitHandled(len(sent))
		}
		// Two flushes into the 12:00 hour, one into the current hour.
		send(30, now.Add(-3*time.Hour))
		if n, err := c.svc.flushLake(ctx); err != nil || n != 30 {
			t.Fatalf("flush: %d, %v", n, err)
		}
		send(12, now.Add(-3*time.Hour+time.Minute))
		send(9, now)
		// The process dies after writing the next file, before committing.
		crashed := ""
		c.svc.lake.crashAfterWrite = func(path string) bool {
			if crashed == "" {
				crashed = path
				return true
			}
			return false
		}
		if _, err := c.svc.flushLake(ctx); !errors.Is(err, errCrash) {
			t.Fatalf("flush: %v, want the simulated crash", err)
		}
		c.svc.lake.crashAfterWrite = nil
		files := listLake(t, c.svc.lake)
		if !contains(files, crashed) {
			t.Fatalf("the crashed flush left no file %s: %v", crashed, files)
		}

		// A new process on the same store and lake resumes.
		second := &Service{db: c.svc.db, store: c.svc.store, log: c.svc.log, metrics: mustMetrics(t), lake: &lake{bucket: c.svc.lake.bucket}, now: c.clock.Now}
		if _, err := second.flushLake(ctx); err != nil {
			t.Fatal(err)
		}
		files = listLake(t, c.svc.lake)
		seen := readLake(t, second.lake, files)
		for id := range sent {
			if seen[id] != 1 {
				t.Fatalf("event %s is %d times in the lake", id, seen[id])
			}
		}
		if len(seen) != len(sent) {
			t.Fatalf("%d events in the lake, %d sent", len(seen), len(sent))
		}
		oldHour := 0
		for _, f := range files {
			if strings.Contains(f, "dt=2026-03-11/hour=12/") {
				oldHour++
			}
			if !strings.HasPrefix(f, "events/type=") {
				t.Fatalf("not Hive-partitioned: %s", f)
			}
		}
		if oldHour < 6 { // 3 types × 2 flushes
			t.Fatalf("%d files in hour 12 before compaction, want 6: %v", oldHour, files)
		}

		// Compaction merges each closed hour into one file per type; the
		// current hour is left alone.
		if n, err := second.compactLake(ctx, now.Add(-15*time.Minute)); err != nil || n != 3 {
			t.Fatalf("compaction: %d partitions, %v", n, err)
		}
		files = listLake(t, c.svc.lake)
		perPart := map[string]int{}
		for _, f := range files {
			perPart[filepath.Dir(f)]++
		}
		for p, n := range perPart {
			if n != 1 {
				t.Fatalf("partition %s has %d files after compaction: %v", p, n, files)
			}
		}
		seen = readLake(t, second.lake, files)
		if len(seen) != len(sent) {
			t.Fatalf("after compaction %d events, %d sent", len(seen), len(sent))
		}
		for id, n := range seen {
			if n != 1 || !sent[id] {
				t.Fatalf("event %s: %d times, sent %v", id, n, sent[id])
			}
		}
	})
}

func mustMetrics(t *testing.T) *metrics {
	t.Helper()
	m, err := newMetrics(nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLakeCompactEndpoint(t *testing.T) {
	now := time.Date(2026, 3, 11, 15, 30, 0, 0, time.UTC)
	forEachServer(t, now, nil, func(t *testing.T, c *api) {
		for i := range 4 {
			id := uuid.NewString()
			c.publish("catalog", "catalog.category.created.v1", "category/"+id, id, now.Add(-2*time.Hour), map[string]any{"id": id})
			c.waitHandled(i + 1)
			if _, err := c.svc.flushLake(context.Background()); err != nil { // four small files
				t.Fatal(err)
			}
		}
		reader, admin := c.user(), uuid.NewString()
		c.tokens[admin] = c.h.Issuer.Token(admin, "admin")
		if r := c.do("POST", "/v1/admin/analytics/lake/compact", reader); r.status != 403 {
			t.Fatalf("a reader compacts: %d %s", r.status, r.raw)
		}
		if r := c.do("POST", "/v1/admin/analytics/lake/compact", ""); r.status != 401 {
			t.Fatalf("anonymous compacts: %d %s", r.status, r.raw)
		}
		r := c.do("POST", "/v1/admin/analytics/lake/compact", admin)
		if r.status != 200 || r.body["compacted"].(float64) != 1 {
			t.Fatalf("compact: %d %s", r.status, r.raw)
		}
		if files := listLake(t, c.svc.lake); len(files) != 1 || len(readLake(t, c.svc.lake, files)) != 4 {
			t.Fatalf("after compaction: %v", files)
		}
	})
}

// A compaction interrupted after its merged file is in place, before the
// sources are deleted, is finished at the next round without duplicates;
// one interrupted before the merged file exists is redone from the sources.
func TestLakeCompactionResumes(t *testing.T) {
	now := time.Date(2026, 3, 11, 15, 30, 0, 0, time.UTC)
	forEachServer(t, now, nil, func(t *testing.T, c *api) {
		ctx := context.Background()
		part := func(hour time.Time, n int) []string {
			var sources []string
			for range n {
				id := uuid.NewString()
				before := c.handled()
				c.publish("catalog", "catalog.category.created.v1", "category/"+id, id, hour, map[string]any{"id": id})
				c.waitHandled(before + 1)
				if _, err := c.svc.flushLake(ctx); err != nil {
					t.Fatal(err)
				}
			}
			files, err := c.svc.store.lakeFiles(ctx, "done")
			if err != nil {
				t.Fatal(err)
			}
			p := partition("catalog.category.created.v1", hour.UnixMilli())
			for _, f := range files {
				if f.Part == p {
					sources = append(sources, f.Path)
				}
			}
			return sources
		}
		h10, h11 := now.Add(-5*time.Hour), now.Add(-4*time.Hour)
		s10, s11 := part(h10, 3), part(h11, 2)
		if len(s10) != 3 || len(s11) != 2 {
			t.Fatalf("sources: %v %v", s10, s11)
		}
		// Hour 10: merged file written, sources not yet deleted.
		t10 := partition("catalog.category.created.v1", h10.UnixMilli()) + "/compacted-x.parquet"
		if err := c.svc.store.planCompaction(ctx, t10, partition("catalog.category.created.v1", h10.UnixMilli()), s10); err != nil {
			t.Fatal(err)
		}
		var rows []LakeRow
		for _, s := range s10 {
			r, err := c.svc.lake.read(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, r...)
		}
		if err := c.svc.lake.write(ctx, t10, rows, s10); err != nil {
			t.Fatal(err)
		}
		// Hour 11: only the plan recorded.
		t11 := partition("catalog.category.created.v1", h11.UnixMilli()) + "/compacted-y.parquet"
		if err := c.svc.store.planCompaction(ctx, t11, partition("catalog.category.created.v1", h11.UnixMilli()), s11); err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.compactLake(ctx, now); err != nil {
			t.Fatal(err)
		}
		files := listLake(t, c.svc.lake)
		if len(files) != 2 || !contains(files, t10) || !contains(files, t11) {
			t.Fatalf("after resuming: %v", files)
		}
		seen := readLake(t, c.svc.lake, files)
		if len(seen) != 5 {
			t.Fatalf("%d events, want 5", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("%s %d times", id, n)
			}
		}
	})
}
