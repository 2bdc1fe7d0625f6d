package bus_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-sqlite/wmsqlitezombiezen"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
)

// BenchmarkEmbeddedDelivery measures publish → delivery latency of one event
// at a time on the embedded bus, alternating, on the same bus.db, the bus's
// own subscriber with Watermill's wmsqlitezombiezen subscriber as the bus
// used it before (20 ms poll), so both see the same machine load.
func BenchmarkEmbeddedDelivery(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := b.TempDir()
	tr, err := bus.Open(ctx, "", bus.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tr.Close() }()
	ours, theirs := bustest.Name("ours"), bustest.Name("theirs")

	sub, err := tr.Subscriber("bench")
	if err != nil {
		b.Fatal(err)
	}
	ch, err := sub.Subscribe(ctx, ours)
	if err != nil {
		b.Fatal(err)
	}
	ackDeadline := 30 * time.Second
	old, err := wmsqlitezombiezen.NewSubscriber(dir+"/bus.db", wmsqlitezombiezen.SubscriberOptions{
		ConsumerGroupMatcher: wmsqlitezombiezen.NewStaticConsumerGroupMatcher("bench"),
		BatchSize:            100, PollInterval: 20 * time.Millisecond, LockTimeout: 5 * time.Second,
		AckDeadline: &ackDeadline, InitializeSchema: true, Logger: watermill.NopLogger{},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = old.Close() }()
	oldCh, err := old.Subscribe(ctx, theirs)
	if err != nil {
		b.Fatal(err)
	}
	var pubs []time.Duration
	one := func(topic string, ch <-chan *message.Message) time.Duration {
		e := bustest.NewEvent("k")
		start := time.Now()
		if err := tr.Publisher().Publish(topic, e.Message()); err != nil {
			b.Fatal(err)
		}
		pubs = append(pubs, time.Since(start))
		select {
		case m := <-ch:
			d := time.Since(start)
			m.Ack()
			return d
		case <-time.After(30 * time.Second):
			b.Fatal("no delivery within 30s")
		}
		return 0
	}
	one(ours, ch) // first reads create the tables and offsets
	one(theirs, oldCh)
	var a, w []time.Duration
	for b.Loop() {
		a = append(a, one(ours, ch))
		if os.Getenv("BENCH_ONLY_OURS") == "" {
			w = append(w, one(theirs, oldCh))
		}
	}
	if len(w) == 0 {
		w = append(w, 0)
	}
	med := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	b.ReportMetric(med(a), "ours_p50_ms")
	b.ReportMetric(med(pubs), "publish_p50_ms")
	b.ReportMetric(med(w), "before_p50_ms")
}
