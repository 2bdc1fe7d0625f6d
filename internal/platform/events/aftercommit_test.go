package events_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// TestAfterCommitRunsOnceTheHandlersTransactionCommitted checks that work
// registered with AfterCommit sees the handler's change committed, runs
// once per handled event, and never for an attempt that rolled back or a
// duplicate.
func TestAfterCommitRunsOnceTheHandlersTransactionCommitted(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	tr := bus.NewMemory(nil)
	f := newFixture(t, s, tr, "aftercommit")
	var mu sync.Mutex
	var seen []int // effects visible outside the transaction when the hook ran
	attempts := 0
	f.pipe.Handle("topic_after", "test.after.v1", func(ctx context.Context, tx bun.Tx, e bus.Event) error {
		if _, err := tx.NewRaw("INSERT INTO effects (event_id, note) VALUES (?, 'ok')", e.ID).Exec(ctx); err != nil {
			return err
		}
		events.AfterCommit(ctx, func() {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, f.count("event_id = ?", e.ID))
		})
		mu.Lock()
		defer mu.Unlock()
		attempts++
		if attempts == 1 {
			return errors.New("first attempt fails")
		}
		return nil
	})
	if err := f.pipe.Start(); err != nil {
		t.Fatal(err)
	}
	e := bus.Event{ID: "0190a000-0000-7000-8000-0000000000af", Type: "test.after.v1", Time: time.Now(), Data: []byte(`{}`)}
	for range 2 {
		if err := tr.Publisher().Publish("topic_after", e.Message()); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the hook", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) > 0 })
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != 1 {
		t.Fatalf("hook runs saw %v committed effects, want exactly one run that saw [1]", seen)
	}
}

func TestAfterCommitOutsideAHandlerRunsAtOnce(t *testing.T) {
	ran := false
	events.AfterCommit(context.Background(), func() { ran = true })
	if !ran {
		t.Fatal("not run")
	}
}
