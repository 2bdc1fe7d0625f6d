package processing

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gocloud.dev/blob/s3blob"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/blob/blobtest"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

var registerS3 sync.Once

// The sweeper deletes what no finished job reported and nothing else, on
// the local store and on S3 (MinIO): a failed transcode's renditions, a
// done job's leftovers from an earlier attempt; not the reported
// derivatives, not a prefix whose original is being processed again, not
// a job that only just finished, not another item's objects, not
// originals. Run again, it deletes nothing more.
func TestSweeperDeletesOrphanedDerivatives(t *testing.T) {
	t.Parallel()
	registerS3.Do(func() {
		if err := blob.Register(s3blob.Scheme, &s3blob.URLOpener{}); err != nil {
			t.Fatal(err)
		}
	})
	for _, bs := range blobtest.Stores[:2] { // the local directory and S3 on MinIO
		t.Run(bs.Name, func(t *testing.T) {
			t.Parallel()
			var bc blob.Config
			if bs.Name != "file" {
				bc.URL = bs.Bucket(t)
			}
			cfg := testConfig()
			cfg.SweepInterval = 0 // swept by hand below
			x := startOn(t, moduletest.Stores(t)[0], bc, cfg, nil)
			sweepScenario(t, x)
		})
	}
}

func sweepScenario(t *testing.T, x *harness) {
	ctx := context.Background()
	media, other := uuid.NewString(), uuid.NewString()
	sha := func(c byte) string { return strings.Repeat(string(c), 64) }
	put := func(keys ...string) {
		for _, k := range keys {
			if err := x.bucket.WriteAll(ctx, k, []byte("x"), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	long := time.Now().UTC().Add(-time.Hour)
	row := func(mediaID, sum, state string, finished time.Time, reported ...string) *job {
		j := &job{ID: uuid.NewString(), UploadID: uuid.NewString(), MediaID: mediaID, ObjectKey: "content/" + sum, SHA256: sum,
			Kind: "video", ContentType: "video/mp4", CompletedAt: finished, State: state, RunAt: finished.UnixMilli(),
			CreatedAt: finished}
		if state != stateQueued && state != stateRunning {
			j.FinishedAt = &finished
		} else {
			// Queued for later (a retry's backoff): the workers leave it.
			j.RunAt = time.Now().Add(time.Hour).UnixMilli()
		}
		if state == stateDone {
			p := processedV1{MediaID: mediaID, SHA256: sum}
			for _, k := range reported {
				p.Derivatives = append(p.Derivatives, derivativeV1{Kind: "rendition", ObjectKey: k})
			}
			b, _ := json.Marshal(p)
			r := string(b)
			j.Result = &r
		}
		if _, err := x.svc.db.NewInsert().Model(j).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		return j
	}
	pre := func(sum string) string { return derivativePrefix(media, sum) }

	// A transcode that failed half-way: every object goes.
	row(media, sha('a'), stateFailed, long)
	failed := []string{pre(sha('a')) + "hls-aaaaaaaa-240p.m3u8", pre(sha('a')) + "hls-aaaaaaaa-240p-init.mp4",
		pre(sha('a')) + "hls-aaaaaaaa-480p-00000.m4s"}
	// A done job (the original a newer one replaced, or the current one):
	// what it reported stays (storage owns it), the rest goes.
	reported := []string{pre(sha('b')) + "thumbnail.jpg", pre(sha('b')) + "hls.m3u8"}
	row(media, sha('b'), stateDone, long, reported...)
	leftover := pre(sha('b')) + "hls-bbbbbbbb-1080p-00003.m4s"
	// A failed job whose original is being processed again: untouched.
	busy := row(media, sha('c'), stateFailed, long)
	again := row(media, sha('c'), stateQueued, long)
	busyKeys := []string{pre(sha('c')) + "hls-cccccccc-240p.m3u8"}
	// A job that failed a moment ago: left for a later pass.
	row(media, sha('d'), stateFailed, time.Now().UTC())
	recent := pre(sha('d')) + "hls-dddddddd-240p.m3u8"
	// Another item with the same original, and the originals themselves.
	untouched := []string{derivativePrefix(other, sha('a')) + "hls-aaaaaaaa-240p.m3u8", "content/" + sha('a')}

	put(failed...)
	put(reported...)
	put(leftover, recent)
	put(busyKeys...)
	put(untouched...)

	sweep := func() {
		t.Helper()
		if _, err := x.svc.sweepOrphans(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sweep()
	want := slices.Concat(reported, busyKeys, []string{recent}, untouched)
	gone := append(slices.Clone(failed), leftover)
	check := func(want, gone []string) {
		t.Helper()
		for _, k := range want {
			if ok, err := x.bucket.Exists(ctx, k); err != nil || !ok {
				t.Errorf("%s was deleted (%v)", k, err)
			}
		}
		for _, k := range gone {
			if ok, err := x.bucket.Exists(ctx, k); err != nil || ok {
				t.Errorf("%s is still there (%v)", k, err)
			}
		}
	}
	check(want, gone)
	var unswept []string
	if err := x.svc.db.NewSelect().Model((*job)(nil)).Column("id").Where("swept_at IS NULL").
		Where("media_id = ?", media).Scan(ctx, &unswept); err != nil {
		t.Fatal(err)
	}
	slices.Sort(unswept)
	if len(unswept) != 3 || !slices.Contains(unswept, busy.ID) || !slices.Contains(unswept, again.ID) {
		t.Errorf("unswept jobs %v: want the busy original's two and the recent one", unswept)
	}

	// Idempotent: a second pass deletes nothing more.
	sweep()
	check(want, gone)

	// The original's new job finishes without the old renditions: the
	// next pass sweeps them.
	if _, err := x.svc.db.NewUpdate().Model((*job)(nil)).Set("state = ?", stateFailed).Set("finished_at = ?", long).
		Where("id = ?", again.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	sweep()
	check(slices.Concat(reported, []string{recent}, untouched), busyKeys)
}

// TestMain stops the object store peers (MinIO) the tests started and
// removes their data.
func TestMain(m *testing.M) {
	code := m.Run()
	blobtest.Stop()
	os.Exit(code)
}
