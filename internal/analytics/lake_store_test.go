package analytics

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/parquet-go/parquet-go"

	"github.com/alexandria-platform/alexandria/internal/app/backends"
	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/blob/blobtest"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func TestMain(m *testing.M) {
	if err := backends.Register(); err != nil { // s3, gs and azblob openers, as the binary has them
		panic(err)
	}
	code := m.Run()
	blobtest.Stop()
	os.Exit(code)
}

// TestLakeOnObjectStores runs the lake on each object store, each a real
// peer (a local directory, S3 on MinIO, GCS on fake-gcs-server, Azure on
// Azurite): events are written, a flush dies between writing a file and
// committing it, a compaction dies after putting the merged file and
// before deleting its sources, new processes resume both, and a reader
// that knows nothing but the lake URL lists the store, reads every Parquet
// file back and finds each event sent exactly once.
func TestLakeOnObjectStores(t *testing.T) {
	now := time.Date(2026, 3, 11, 15, 30, 0, 0, time.UTC)
	for _, st := range blobtest.Stores {
		t.Run(st.Name, func(t *testing.T) {
			lakeURL := st.Bucket(t)
			c := startAnalytics(t, moduletest.Stores(t)[0], now, func(cfg *Config) { cfg.LakeURL = lakeURL })
			ctx := context.Background()
			sent := map[string]string{} // event ID → type
			media := uuid.NewString()
			send := func(n int, at time.Time) {
				for i := range n {
					var id, typ string
					switch i % 3 {
					case 0:
						typ = eventViewRecorded
						id = c.publish("engagement", typ, "media/"+media, media, at, map[string]any{"media_id": media, "views": 1})
					case 1:
						typ = eventLikeCreated
						id = c.publish("engagement", typ, "media/"+media, media, at, map[string]any{"media_id": media, "user_id": uuid.NewString()})
					default:
						typ = "catalog.category.created.v1"
						id = c.publish("catalog", typ, "category/x", "x", at, map[string]any{"id": uuid.NewString()})
					}
					sent[id] = typ
				}
				c.waitHandled(len(sent))
			}
			old := now.Add(-3 * time.Hour)
			send(30, old)
			if n, err := c.svc.flushLake(ctx); err != nil || n != 30 {
				t.Fatalf("flush: %d, %v", n, err)
			}
			send(15, old.Add(time.Minute))
			if _, err := c.svc.flushLake(ctx); err != nil {
				t.Fatal(err)
			}
			send(12, old.Add(2*time.Minute))
			send(6, now)

			// Killed after putting a file, before committing it.
			crashed := ""
			c.svc.lake.crashAfterWrite = func(p string) bool {
				if crashed == "" {
					crashed = p
					return true
				}
				return false
			}
			if _, err := c.svc.flushLake(ctx); !errors.Is(err, errCrash) {
				t.Fatalf("flush: %v, want the simulated crash", err)
			}
			if !slices.Contains(listLake(t, c.svc.lake), crashed) {
				t.Fatalf("the crashed flush left no object %s", crashed)
			}

			// A new process (its own connection to the store) resumes:
			// the claimed file is put again under the same name.
			second := restartLake(t, c, lakeURL)
			if _, err := second.flushLake(ctx); err != nil {
				t.Fatal(err)
			}
			checkOnce(t, lakeURL, sent, false)

			// Killed after putting the first merged file, before deleting
			// its sources: a reader would see those events twice, but the
			// merged file's footer names the sources to skip.
			merged := ""
			second.lake.crashAfterMerge = func(p string) bool {
				if merged == "" {
					merged = p
					return true
				}
				return false
			}
			if _, err := second.compactLake(ctx, now.Add(-15*time.Minute)); !errors.Is(err, errCrash) {
				t.Fatalf("compaction: %v, want the simulated crash", err)
			}
			checkOnce(t, lakeURL, sent, true)

			third := restartLake(t, c, lakeURL)
			if n, err := third.compactLake(ctx, now.Add(-15*time.Minute)); err != nil || n != 2 {
				// the interrupted partition is finished first and not counted
				t.Fatalf("compaction after restart: %d partitions, %v (want the 2 left)", n, err)
			}
			files := checkOnce(t, lakeURL, sent, false)
			perPart := map[string]int{}
			for _, f := range files {
				perPart[path.Dir(f)]++
			}
			closed := 0
			for p, n := range perPart {
				if strings.Contains(p, "/hour=12") {
					closed++
					if n != 1 {
						t.Fatalf("closed partition %s has %d files after compaction: %v", p, n, files)
					}
				}
			}
			if closed != 3 {
				t.Fatalf("%d closed partitions, want 3 (one per type): %v", closed, files)
			}
			if !slices.Contains(files, merged) {
				t.Fatalf("the merged file %s of the interrupted compaction is gone: %v", merged, files)
			}
		})
	}
}

// restartLake is a new process on the same database and lake URL.
func restartLake(t *testing.T, c *api, lakeURL string) *Service {
	t.Helper()
	lk, err := openLake(context.Background(), lakeURL, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lk.close() })
	return &Service{db: c.svc.db, store: c.svc.store, log: c.svc.log, metrics: mustMetrics(t), lake: lk, now: c.clock.Now}
}

// checkOnce opens the lake URL afresh, as an outside reader would, lists
// every Parquet object and reads it back. Each event sent must be there
// exactly once; with skipSources, the files a compacted file's footer
// names are skipped (the rule for readers during a compaction). It
// returns the files read.
func checkOnce(t *testing.T, lakeURL string, sent map[string]string, skipSources bool) []string {
	t.Helper()
	ctx := context.Background()
	b, err := blob.Open(ctx, blob.Config{URL: lakeURL}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	keys, err := b.Keys(ctx, "events/")
	if err != nil {
		t.Fatal(err)
	}
	type file struct {
		rows    []LakeRow
		sources []string
	}
	read := map[string]file{}
	skip := map[string]bool{}
	for _, k := range keys {
		if !strings.HasSuffix(k, ".parquet") {
			t.Fatalf("a non-Parquet object in the lake: %s", k)
		}
		data, err := b.ReadAll(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		var f file
		if v, ok := pf.Lookup(LakeSourcesKey); ok {
			f.sources = strings.Split(v, "\n")
			for _, s := range f.sources {
				skip[s] = true
			}
		}
		if f.rows, err = parquet.Read[LakeRow](bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		read[k] = f
	}
	seen := map[string]int{}
	var files []string
	for k, f := range read {
		if skipSources && skip[k] {
			continue
		}
		files = append(files, k)
		for _, r := range f.rows {
			if !strings.HasPrefix(k, partition(r.EventType, r.EventTime)+"/") {
				t.Fatalf("%s holds a %s event of %s", k, r.EventType, time.UnixMilli(r.EventTime).UTC())
			}
			if sent[r.EventID] != r.EventType {
				t.Fatalf("%s: event %s of type %s was not sent", k, r.EventID, r.EventType)
			}
			seen[r.EventID]++
		}
	}
	for id := range sent {
		if seen[id] != 1 {
			t.Fatalf("event %s is %d times in the lake (%d files)", id, seen[id], len(files))
		}
	}
	if len(seen) != len(sent) {
		t.Fatalf("%d events in the lake, %d sent", len(seen), len(sent))
	}
	slices.Sort(files)
	return files
}
