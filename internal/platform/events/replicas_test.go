package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// TestReplicasRelayEachEventOnce runs two replicas of one service on one
// PostgreSQL schema: the advisory lock lets one relay publish, so every
// event reaches the bus once and in order, with no double publishing.
func TestReplicasRelayEachEventOnce(t *testing.T) {
	t.Parallel()
	stores := moduletest.Stores(t)
	if len(stores) < 2 {
		t.Skip("needs PostgreSQL")
	}
	pg := stores[1]
	tr := bus.NewMemory(nil)
	first := moduletest.OpenDB(t, pg, "replicas", effectsMigration)
	second, err := db.Open(context.Background(), pg.Config, db.Options{Service: "replicas", Schema: first.Schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Close() })

	sub, _ := tr.Subscriber("watcher")
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	a := newPipeline(t, first, tr, "replicas", regA)
	b := newPipeline(t, second, tr, "replicas", regB)
	msgs, err := sub.Subscribe(context.Background(), a.Topic())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	const n = 100
	for i := range n {
		rep, d := a, first
		if i%2 == 1 {
			rep, d = b, second
		}
		err := d.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
			return rep.Record(ctx, tx, "test.replicated.v1", "thing/x", "x", map[string]int{"n": i})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	timeout := time.After(10 * time.Second)
	for len(seen) < n {
		select {
		case m := <-msgs:
			seen[m.UUID]++
			m.Ack()
		case <-timeout:
			t.Fatalf("%d of %d events published", len(seen), n)
		}
	}
	// Once the outbox is empty neither relay has anything left to publish:
	// each relay has counted every publish it made. More than n means an
	// event went out twice.
	eventually(t, "the outbox to drain", func() bool {
		n, err := first.NewSelect().TableExpr("outbox").Count(context.Background())
		return err == nil && n == 0
	})
	published := counter(t, regA, "alexandria_events_published_total", nil) +
		counter(t, regB, "alexandria_events_published_total", nil)
	if published != n {
		select {
		case m := <-msgs:
			t.Fatalf("%d publishes of %d events: %s was published again", published, n, m.UUID)
		case <-timeout:
			t.Fatalf("%d publishes of %d events", published, n)
		}
	}
}
