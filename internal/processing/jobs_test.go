package processing

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

func upload(mediaID string, at time.Time) UploadCompleted {
	return UploadCompleted{UploadID: uuid.Must(uuid.NewV7()).String(), MediaID: mediaID, ObjectKey: "content/ab/ab",
		SHA256: strings.Repeat("ab", 32), Size: 10, ContentType: "text/plain", Kind: "document", CompletedAt: at}
}

func TestJobStore(t *testing.T) {
	t.Parallel()
	for _, store := range moduletest.Stores(t) {
		t.Run(store.Name, func(t *testing.T) {
			t.Parallel()
			d := moduletest.OpenDB(t, store, "processing", Migrations)
			s := newJobStore(d, nil)
			ctx := context.Background()
			now := time.Now().UTC()
			enq := func(u UploadCompleted) bool {
				t.Helper()
				var created bool
				err := d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) (err error) {
					created, err = s.bound(tx).enqueue(ctx, u, now)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return created
			}
			state := func(u UploadCompleted) *job {
				t.Helper()
				j, err := s.byUpload(ctx, u.UploadID)
				if err != nil {
					t.Fatal(err)
				}
				return j
			}

			t.Run("an_upload_is_queued_once", func(t *testing.T) {
				u := upload(uuid.Must(uuid.NewV7()).String(), now)
				if !enq(u) || enq(u) {
					t.Fatal("want one job per upload")
				}
			})
			t.Run("a_newer_upload_supersedes_queued_jobs_and_an_older_one_arriving_late_is_superseded", func(t *testing.T) {
				media := uuid.Must(uuid.NewV7()).String()
				first, second, late := upload(media, now.Add(-time.Minute)), upload(media, now), upload(media, now.Add(-2*time.Minute))
				enq(first)
				enq(second)
				if enq(late) {
					t.Error("an upload older than a known one was queued")
				}
				for u, want := range map[*UploadCompleted]string{&first: stateSuperseded, &second: stateQueued, &late: stateSuperseded} {
					if got := state(*u).State; got != want {
						t.Errorf("upload at %s: %s, want %s", u.CompletedAt.Format(time.TimeOnly), got, want)
					}
				}
			})
			t.Run("a_lease_excludes_others_until_it_expires", func(t *testing.T) {
				// Drain what earlier subtests queued, then queue one job.
				for {
					j, err := s.claim(ctx, now, time.Hour, "drain")
					if err != nil {
						t.Fatal(err)
					}
					if j == nil {
						break
					}
				}
				u := upload(uuid.Must(uuid.NewV7()).String(), now)
				enq(u)
				a, err := s.claim(ctx, now, time.Second, "worker-a")
				if err != nil || a == nil || a.UploadID != u.UploadID || a.Attempts != 1 || a.LeaseToken != "worker-a" {
					t.Fatalf("claim = %+v, %v", a, err)
				}
				if b, err := s.claim(ctx, now.Add(500*time.Millisecond), time.Second, "worker-b"); err != nil || b != nil {
					t.Fatalf("claimed a leased job: %+v, %v", b, err)
				}
				// worker-a dies; after the lease worker-b takes the job over.
				b, err := s.claim(ctx, now.Add(2*time.Second), time.Minute, "worker-b")
				if err != nil || b == nil || b.ID != a.ID || b.Attempts != 2 {
					t.Fatalf("reclaim = %+v, %v", b, err)
				}
				err = d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					return s.bound(tx).finish(ctx, a.ID, "worker-a", stateDone, "", "", now)
				})
				if !errors.Is(err, errLeaseLost) {
					t.Errorf("the dead worker finished the job: %v", err)
				}
				if err := s.heartbeat(ctx, a.ID, "worker-a", now.Add(time.Hour)); !errors.Is(err, errLeaseLost) {
					t.Errorf("the dead worker renewed the lease: %v", err)
				}
				if err := s.requeue(ctx, b.ID, "worker-b", "store down", now.Add(time.Minute), false); err != nil {
					t.Fatal(err)
				}
				if c, _ := s.claim(ctx, now.Add(30*time.Second), time.Minute, "worker-c"); c != nil {
					t.Error("claimed a job before its retry time")
				}
				if c, _ := s.claim(ctx, now.Add(61*time.Second), time.Minute, "worker-c"); c == nil || c.Attempts != 3 {
					t.Errorf("retry claim = %+v", c)
				}
			})
		})
	}
}

// flaky fails GetFile with a transient error the first failures times, and
// panics instead when panics is set.
type flaky struct {
	objectStore
	failures int32
	calls    atomic.Int32
	panics   bool
}

func (f *flaky) GetFile(ctx context.Context, key, path string, limit int64) error {
	if f.calls.Add(1) <= f.failures {
		if f.panics {
			panic("object store exploded")
		}
		return errors.New("connection refused")
	}
	return f.objectStore.GetFile(ctx, key, path, limit)
}

func TestTransientErrorsAreRetried(t *testing.T) {
	t.Parallel()
	requireTools(t)
	text := []byte("plain text\n")
	cases := []struct {
		name     string
		failures int32
		panics   bool
		attempts int
		reason   string // empty: processed
	}{
		{"store_recovers_before_the_last_attempt", 2, false, 3, ""},
		{"store_stays_down", 100, false, 3, "stayed unavailable"},
		{"a_panic_fails_the_job_not_the_worker", 1, true, 1, "internal error"},
	}
	for _, store := range moduletest.Stores(t) {
		for _, c := range cases {
			t.Run(store.Name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				cfg := testConfig()
				cfg.Workers = 1
				x := start(t, store, cfg, func(o objectStore) objectStore { return &flaky{objectStore: o, failures: c.failures, panics: c.panics} })
				up := x.upload(text, "text/plain; charset=utf-8", "document")
				x.publish(up)
				if c.reason == "" {
					x.expect(t, up, want{derivatives: []string{"text"}})
				} else {
					u := decode[UploadCompleted](t, up)
					e := x.wait(u.MediaID)
					if f := decode[failedV1](t, e); e.Type != EventMediaFailed || !strings.Contains(f.Reason, c.reason) {
						t.Fatalf("%s: %s", e.Type, e.Data)
					}
				}
				if j := x.job(up); j.Attempts != c.attempts {
					t.Errorf("attempts = %d, want %d", j.Attempts, c.attempts)
				}
				if c.panics { // the worker is still there
					next := x.upload([]byte("next\n"), "text/plain", "document")
					x.publish(next)
					x.expect(t, next, want{derivatives: []string{"text"}})
				}
			})
		}
	}
}

func TestJobsOfDeadWorkersAreTakenOver(t *testing.T) {
	t.Parallel()
	requireTools(t)
	for _, store := range moduletest.Stores(t) {
		t.Run(store.Name, func(t *testing.T) {
			t.Parallel()
			x := start(t, store, testConfig(), nil)
			ctx := context.Background()
			// Two jobs left running by a worker that died: one on its first
			// attempt, one that has already killed max_attempts workers.
			recoverable := x.upload([]byte("survivor\n"), "text/plain", "document")
			poison := x.upload([]byte("poison\n"), "text/plain", "document")
			past := time.Now().Add(-time.Minute).UnixMilli()
			for i, e := range []bus.Event{recoverable, poison} {
				u := decode[UploadCompleted](t, e)
				j := job{ID: uuid.Must(uuid.NewV7()).String(), UploadID: u.UploadID, MediaID: u.MediaID, ObjectKey: u.ObjectKey,
					SHA256: u.SHA256, Size: u.Size, Kind: u.Kind, ContentType: u.ContentType, CompletedAt: stamp(u.CompletedAt),
					State: stateRunning, Attempts: 1 + i*x.svc.cfg.MaxAttempts, RunAt: past, LeasedUntil: &past, LeaseToken: "dead",
					CreatedAt: stamp(time.Now())}
				if _, err := x.svc.db.NewInsert().Model(&j).Exec(ctx); err != nil {
					t.Fatal(err)
				}
			}
			x.expect(t, recoverable, want{derivatives: []string{"text"}})
			u := decode[UploadCompleted](t, poison)
			if e := x.wait(u.MediaID); e.Type != EventMediaFailed || !strings.Contains(decode[failedV1](t, e).Reason, "interrupted") {
				t.Errorf("%s: %s", e.Type, e.Data)
			}
		})
	}
}

func TestRedeliveredUploadIsProcessedOnce(t *testing.T) {
	t.Parallel()
	requireTools(t)
	for _, store := range moduletest.Stores(t) {
		t.Run(store.Name, func(t *testing.T) {
			t.Parallel()
			x := start(t, store, testConfig(), nil)
			up := x.upload([]byte("once\n"), "text/plain", "document")
			x.publish(up)
			again := up
			again.ID = uuid.Must(uuid.NewV7()).String() // the same upload, announced twice
			x.publish(again)
			x.publish(up) // and a plain redelivery
			x.expect(t, up, want{derivatives: []string{"text"}})
			// A later upload proves the duplicates were consumed by now.
			later := x.upload([]byte("later\n"), "text/plain", "document")
			x.publish(later)
			x.expect(t, later, want{derivatives: []string{"text"}})
			u := decode[UploadCompleted](t, up)
			if n := len(x.events(u.MediaID)); n != 1 {
				t.Errorf("%d events for one upload", n)
			}
			// The worker counts a job just after committing its event.
			testkit.Eventually(t, "two processed jobs counted", func() bool {
				return counter(t, x, "alexandria_processing_jobs_total", "document", resultProcessed) >= 2
			})
			if got := counter(t, x, "alexandria_processing_jobs_total", "document", resultProcessed); got != 2 {
				t.Errorf("jobs_total{processed} = %v, want 2", got)
			}
		})
	}
}

// counter reads a processing counter by kind and result.
func counter(t *testing.T, x *harness, name, kind, result string) float64 {
	t.Helper()
	return testkit.Counter(t, x.h.Deps.Metrics.(prometheus.Gatherer), name, map[string]string{"kind": kind, "result": result})
}

func TestWorkersRunInTheBackgroundGroupUntilClose(t *testing.T) {
	t.Parallel()
	store := moduletest.Stores(t)[0]
	x := start(t, store, testConfig(), nil)
	states := x.svc.group.States()
	for i := 1; i <= x.svc.cfg.Workers; i++ {
		name := "worker " + strconv.Itoa(i)
		if st, ok := states[name]; !ok || st != lifecycle.Running {
			t.Errorf("%s: %v (present %v), want running", name, st, ok)
		}
	}
	if err := x.svc.Ready(context.Background()); err != nil {
		t.Fatalf("Ready = %v, want nil while the workers run", err)
	}
	if err := x.svc.Close(context.Background()); err != nil {
		t.Fatalf("Close = %v", err)
	}
	for name, st := range x.svc.group.States() {
		if strings.HasPrefix(name, "worker ") && st != lifecycle.Terminated {
			t.Errorf("%s after Close: %v, want terminated", name, st)
		}
	}
}
