package processing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// A processing service on a real store (SQLite or PostgreSQL), the local
// blob store in a temporary directory and the in-memory bus. Tests put an
// original in the bucket, publish storage.upload.completed.v1 as storage
// would, and read what processing publishes.

type harness struct {
	t       *testing.T
	h       *moduletest.Harness
	svc     *Service
	bucket  *blob.Bucket
	mu      sync.Mutex
	outcome map[string][]bus.Event // media ID → processing events
	arrived chan struct{}
}

// testConfig keeps jobs fast to retry and to reclaim.
func testConfig() Config {
	c := DefaultConfig()
	c.Workers, c.PollInterval, c.Lease = 2, 50*time.Millisecond, 3*time.Second
	c.RetryInitial, c.RetryMax, c.MaxAttempts = 20*time.Millisecond, 100*time.Millisecond, 3
	c.ToolTimeout, c.JobTimeout = 30*time.Second, time.Minute
	return c
}

// start builds the service; wrap, when given, wraps the object store the
// service sees (fault injection).
func start(t *testing.T, store moduletest.Store, cfg Config, wrap func(objectStore) objectStore) *harness {
	t.Helper()
	return startOn(t, store, blob.Config{}, cfg, wrap)
}

// startOn is start on the object store bc names (empty: a local one).
func startOn(t *testing.T, store moduletest.Store, bc blob.Config, cfg Config, wrap func(objectStore) objectStore) *harness {
	t.Helper()
	h := moduletest.NewHarness(t, store)
	ctx := context.Background()
	bucket, err := blob.Open(ctx, bc, h.Deps.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bucket.Close() })
	x := &harness{t: t, h: h, bucket: bucket, outcome: map[string][]bus.Event{}, arrived: make(chan struct{}, 1)}
	sub, err := h.Deps.Bus.Subscriber("test")
	if err != nil {
		t.Fatal(err)
	}
	subCtx, cancel := context.WithCancel(ctx)
	msgs, err := sub.Subscribe(subCtx, bus.Topic("processing"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range msgs {
			if e, err := bus.FromMessage(m); err == nil {
				x.mu.Lock()
				x.outcome[e.Key] = append(x.outcome[e.Key], e)
				x.mu.Unlock()
				select {
				case x.arrived <- struct{}{}:
				default:
				}
			}
			m.Ack()
		}
	}()
	var objects objectStore = bucket
	if wrap != nil {
		objects = wrap(bucket)
	}
	svc, err := newService(ctx, cfg, h.Deps, objects)
	if err != nil {
		t.Fatal(err)
	}
	x.svc = svc
	t.Cleanup(func() {
		_ = svc.Close(context.Background())
		cancel()
		<-done
	})
	return x
}

// upload stores b as an original and returns the event storage would
// publish for it.
func (x *harness) upload(b []byte, contentType, kind string) bus.Event {
	x.t.Helper()
	sum := sha256.Sum256(b)
	key := blob.ContentKey(sum[:])
	if err := x.bucket.WriteAll(context.Background(), key, b, nil); err != nil {
		x.t.Fatal(err)
	}
	mediaID := uuid.Must(uuid.NewV7()).String()
	return x.uploadEvent(mediaID, uuid.Must(uuid.NewV7()).String(), key, hex.EncodeToString(sum[:]), int64(len(b)), contentType, kind)
}

func (x *harness) uploadEvent(mediaID, uploadID, key, sha string, size int64, contentType, kind string) bus.Event {
	now := time.Now().UTC()
	data, _ := json.Marshal(map[string]any{
		"upload_id": uploadID, "media_id": mediaID, "user_id": uuid.Must(uuid.NewV7()).String(), "object_key": key,
		"sha256": sha, "size": size, "content_type": contentType, "filename": "../../etc/passwd", "kind": kind,
		"completed_at": now,
	})
	return bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: eventStorageUploadCompleted, Source: "/alexandria/storage",
		Subject: "media/" + mediaID, Time: now, Key: mediaID, Data: data}
}

// publish puts an event on storage's topic, as storage's relay would.
func (x *harness) publish(e bus.Event) {
	x.t.Helper()
	if err := x.h.Deps.Bus.Publisher().Publish(bus.Topic("storage"), e.Message()); err != nil {
		x.t.Fatal(err)
	}
}

// wait returns the first processing event about mediaID that settles it
// (progress reports are skipped).
func (x *harness) wait(mediaID string) bus.Event {
	x.t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		x.mu.Lock()
		got := x.outcome[mediaID]
		x.mu.Unlock()
		for _, e := range got {
			if e.Type != EventMediaProgress {
				return e
			}
		}
		select {
		case <-x.arrived:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			x.t.Fatalf("no processing event for media %s", mediaID)
		}
	}
}

// events returns every processing event about mediaID so far but the
// progress reports.
func (x *harness) events(mediaID string) []bus.Event {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []bus.Event
	for _, e := range x.outcome[mediaID] {
		if e.Type != EventMediaProgress {
			out = append(out, e)
		}
	}
	return out
}

// progress returns the progress reports about mediaID so far.
func (x *harness) progress(mediaID string) []progressV1 {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []progressV1
	for _, e := range x.outcome[mediaID] {
		if e.Type == EventMediaProgress {
			var p progressV1
			if json.Unmarshal(e.Data, &p) == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

func decode[T any](t *testing.T, e bus.Event) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(e.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// job reads the job row of an upload event.
func (x *harness) job(e bus.Event) *job {
	x.t.Helper()
	u := decode[UploadCompleted](x.t, e)
	j, err := x.svc.jobs.byUpload(context.Background(), u.UploadID)
	if err != nil {
		x.t.Fatal(err)
	}
	return j
}
