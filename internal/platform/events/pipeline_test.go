package events_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// effects is a table the test handlers write to, in the consumer's
// transaction, so "exactly one effect" can be counted in the store.
var effectsMigration = fstest.MapFS{"00001_effects.sql": {Data: []byte(
	"-- +goose Up\nCREATE TABLE effects (event_id TEXT NOT NULL, note TEXT NOT NULL);\n")}}

type fixture struct {
	t       *testing.T
	db      *db.DB
	bus     bus.Transport
	pipe    *events.Pipeline
	metrics *prometheus.Registry
}

func newFixture(t *testing.T, s moduletest.Store, tr bus.Transport, service string) *fixture {
	t.Helper()
	d := moduletest.OpenDB(t, s, service, effectsMigration)
	reg := prometheus.NewRegistry()
	return &fixture{t: t, db: d, bus: tr, pipe: newPipeline(t, d, tr, service, reg), metrics: reg}
}

func newPipeline(t *testing.T, d *db.DB, tr bus.Transport, service string, reg *prometheus.Registry) *events.Pipeline {
	t.Helper()
	p, err := events.New(context.Background(), events.Setup{Service: service, DB: d, Bus: tr,
		Config: moduletest.FastEvents(), Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

// counter sums the counter name on reg over the series whose labels
// include every pair of want.
func counter(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) int {
	t.Helper()
	return int(testkit.Counter(t, reg, name, want))
}

// settled waits until the relay has published every outbox row and the
// consumers have finished with every event it published: then nothing
// else will happen without a new change.
func (f *fixture) settled(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	eventually(t, "the outbox to drain", func() bool {
		n, err := f.db.NewSelect().TableExpr("outbox").Count(ctx)
		return err == nil && n == 0
	})
	published := counter(t, f.metrics, "alexandria_events_published_total", nil)
	eventually(t, "every published event handled", func() bool {
		done := 0
		for _, result := range []string{"ok", "duplicate", "dead_letter", "ignored"} {
			done += counter(t, f.metrics, "alexandria_events_handled_total", map[string]string{"result": result})
		}
		return done >= published
	})
	return published
}

// record commits a change that records one event, or rolls back when fail.
func (f *fixture) record(ctx context.Context, typ string, n int, fail bool) error {
	return f.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := f.pipe.Record(ctx, tx, typ, fmt.Sprintf("thing/%d", n), fmt.Sprint(n), map[string]int{"n": n}); err != nil {
			return err
		}
		if fail {
			return errors.New("the change failed")
		}
		return nil
	})
}

func (f *fixture) count(where string, args ...any) int {
	f.t.Helper()
	n, err := f.db.NewSelect().TableExpr("effects").Where(where, args...).Count(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return int(n)
}

var eventually = testkit.Eventually

// effect is a handler in the plain form, on the raw transaction, which
// stays supported beside events.Bind.
func effect(note string) events.Handler {
	return func(ctx context.Context, tx bun.Tx, e bus.Event) error {
		return effectsRepo{idb: tx}.add(ctx, e.ID, note)
	}
}

func TestCommittedEventsHaveExactlyOneEffect(t *testing.T) {
	t.Parallel()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, s, bus.NewMemory(nil), "producer")
			f.pipe.Handle(f.pipe.Topic(), "test.thing.happened.v1", effect("ok"))
			if err := f.pipe.Start(); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for i := range 50 {
				if err := f.record(ctx, "test.thing.happened.v1", i, i%5 == 0); err == nil && i%5 == 0 {
					t.Fatal("failing change committed")
				}
			}
			// Everything the relay will ever publish of these changes is
			// published and handled: count what happened.
			if published := f.settled(t); published != 40 {
				t.Fatalf("%d events published, want 40 (rolled-back changes must not publish)", published)
			}
			if n := f.count("1 = 1"); n != 40 {
				t.Fatalf("%d effects, want 40 (rolled-back changes must not publish)", n)
			}
			if n, _ := f.db.NewSelect().TableExpr("outbox").Count(ctx); n != 0 {
				t.Fatalf("outbox keeps %d delivered rows", n)
			}
		})
	}
}

func TestRedeliveredEventIsHandledOnce(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	tr := bus.NewMemory(nil)
	f := newFixture(t, s, tr, "consumer")
	f.pipe.Handle("topic_dup", "test.dup.v1", effect("ok"))
	if err := f.pipe.Start(); err != nil {
		t.Fatal(err)
	}
	e := bus.Event{ID: "0190a000-0000-7000-8000-000000000001", Type: "test.dup.v1", Time: time.Now(), Data: []byte(`{}`)}
	for range 3 {
		if err := tr.Publisher().Publish("topic_dup", e.Message()); err != nil {
			t.Fatal(err)
		}
	}
	// The consumer reports each copy it finished with: wait for all three.
	eventually(t, "three deliveries handled", func() bool {
		done := 0
		for _, result := range []string{"ok", "duplicate"} {
			done += counter(t, f.metrics, "alexandria_events_handled_total", map[string]string{"type": "test.dup.v1", "result": result})
		}
		return done == 3
	})
	if n := f.count("event_id = ?", e.ID); n != 1 {
		t.Fatalf("%d effects of one event delivered three times", n)
	}
}

func TestFailingHandlerRetriesThenDeadLettersAndReplayWorks(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	tr := bus.NewMemory(nil)
	f := newFixture(t, s, tr, "consumer")
	var attempts atomic.Int32
	var healed atomic.Bool
	f.pipe.Handle("topic_dl", "test.flaky.v1", func(ctx context.Context, tx bun.Tx, e bus.Event) error {
		attempts.Add(1)
		if !healed.Load() {
			return errors.New("downstream is broken")
		}
		return effect("healed")(ctx, tx, e)
	})
	if err := f.pipe.Start(); err != nil {
		t.Fatal(err)
	}
	// Another consumer group handles the event fine, once, and must not
	// see the replay meant for the group that failed.
	other := newFixture(t, s, tr, "bystander")
	var otherCalls atomic.Int32
	other.pipe.Handle("topic_dl", "test.flaky.v1", func(context.Context, bun.Tx, bus.Event) error {
		otherCalls.Add(1)
		return nil
	})
	if err := other.pipe.Start(); err != nil {
		t.Fatal(err)
	}
	e := bus.Event{ID: "0190a000-0000-7000-8000-000000000002", Type: "test.flaky.v1", Time: time.Now(), Data: []byte(`{"x":1}`)}
	if err := tr.Publisher().Publish("topic_dl", e.Message()); err != nil {
		t.Fatal(err)
	}
	dl := events.DeadLetters{DB: f.db, Bus: tr}
	var parked []events.DeadLetter
	eventually(t, "a dead letter", func() bool {
		parked, _ = dl.List(context.Background(), "", 10)
		return len(parked) == 1
	})
	if got := attempts.Load(); got != int32(moduletest.FastEvents().MaxAttempts) {
		t.Fatalf("%d attempts before parking, want %d", got, moduletest.FastEvents().MaxAttempts)
	}
	if parked[0].EventID != e.ID || parked[0].Type != e.Type || parked[0].Error == "" {
		t.Fatalf("dead letter %+v", parked[0])
	}
	healed.Store(true)
	// Even a group whose inbox has forgotten the event ignores the replay.
	eventually(t, "the bystander handled the event", func() bool { return otherCalls.Load() == 1 })
	if _, err := other.db.ExecContext(context.Background(), "DELETE FROM inbox"); err != nil {
		t.Fatal(err)
	}
	if err := dl.Replay(context.Background(), parked[0].ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the replayed event's effect", func() bool { return f.count("event_id = ?", e.ID) == 1 })
	if n := otherCalls.Load(); n != 1 {
		t.Fatalf("the other group handled the event %d times, want 1 (the replay is not for it)", n)
	}
	if left, _ := dl.List(context.Background(), "", 10); len(left) != 0 {
		t.Fatalf("replayed dead letter still listed: %+v", left)
	}
}

func TestEventsCarryEnvelopeAndCause(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	tr := bus.NewMemory(nil)
	f := newFixture(t, s, tr, "chain")
	var mu sync.Mutex
	seen := map[string]bus.Event{}
	f.pipe.Handle(f.pipe.Topic(), "test.first.v1", func(ctx context.Context, tx bun.Tx, e bus.Event) error {
		mu.Lock()
		seen["first"] = e
		mu.Unlock()
		return f.pipe.Record(ctx, tx, "test.second.v1", e.Subject, e.Key, map[string]string{"from": e.ID})
	})
	f.pipe.Handle(f.pipe.Topic(), "test.second.v1", func(_ context.Context, _ bun.Tx, e bus.Event) error {
		mu.Lock()
		seen["second"] = e
		mu.Unlock()
		return nil
	})
	if err := f.pipe.Start(); err != nil {
		t.Fatal(err)
	}
	if err := f.record(context.Background(), "test.first.v1", 7, false); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the caused event", func() bool { mu.Lock(); defer mu.Unlock(); return seen["second"].ID != "" })
	first, second := seen["first"], seen["second"]
	if first.Source != "/alexandria/chain" || first.Subject != "thing/7" || first.Key != "7" || first.Time.IsZero() {
		t.Fatalf("envelope %+v", first)
	}
	if second.CausationID != first.ID || second.CorrelationID != first.CorrelationID || first.CorrelationID == "" {
		t.Fatalf("cause not carried: first %+v second %+v", first, second)
	}
}

// TestRelayWaitsForTheGate checks that nothing is published before the
// process has opened the relay gate (every target subscribed).
func TestRelayWaitsForTheGate(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	tr := bus.NewMemory(nil)
	d := moduletest.OpenDB(t, s, "gated", effectsMigration)
	gate := make(chan struct{})
	p, err := events.New(context.Background(), events.Setup{Service: "gated", DB: d, Bus: tr,
		Config: moduletest.FastEvents(), Metrics: prometheus.NewRegistry(), RelayGate: gate})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	sub, _ := tr.Subscriber("watcher")
	msgs, err := sub.Subscribe(context.Background(), p.Topic())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	err = d.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		return p.Record(ctx, tx, "test.gated.v1", "thing/1", "1", map[string]int{"n": 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-msgs:
		t.Fatalf("published %s before the gate opened", m.UUID)
	case <-time.After(200 * time.Millisecond):
	}
	close(gate)
	select {
	case m := <-msgs:
		m.Ack()
	case <-time.After(5 * time.Second):
		t.Fatal("nothing published after the gate opened")
	}
}
