package bus_test

import (
	"context"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
)

func TestEmbedded(t *testing.T) {
	dir := t.TempDir()
	bustest.Run(t, func(t *testing.T) bus.Transport {
		tr, err := bus.Open(context.Background(), "", bus.Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}, bustest.Capabilities{
		TakesTurns:      true,
		PerKeyOrder:     true,
		RedeliveryWait:  8 * time.Second, // the group lock times out after 5s
		NoRestartReason: "the embedded bus has no broker: TestEmbeddedSurvivesReopen covers a process restart",
	})
}

// TestEmbeddedSurvivesReopen: events published before a restart are
// delivered after it, and acknowledged ones are not delivered again.
func TestEmbeddedSurvivesReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	topic, group := bustest.Name("topic"), bustest.Name("group")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	first, err := bus.Open(ctx, "", bus.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := first.Subscriber(group)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := sub.Subscribe(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	a, b := bustest.NewEvent("k"), bustest.NewEvent("k")
	if err := first.Publisher().Publish(topic, a.Message()); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-ch:
		m.Ack()
	case <-ctx.Done():
		t.Fatal("first event not delivered")
	}
	time.Sleep(300 * time.Millisecond) // let the batch's offset be stored
	if err := first.Publisher().Publish(topic, b.Message()); err != nil {
		t.Fatal(err)
	}
	_ = sub.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second, err := bus.Open(ctx, "", bus.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Close() })
	sub2, err := second.Subscriber(group)
	if err != nil {
		t.Fatal(err)
	}
	ch2, err := sub2.Subscribe(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case m := <-ch2:
			m.Ack()
			if m.UUID == a.ID {
				continue // at least once: a redelivery of the acked event is allowed only before b
			}
			if m.UUID != b.ID {
				t.Fatalf("got %s, want %s", m.UUID, b.ID)
			}
			return
		case <-ctx.Done():
			t.Fatal("the event published before the restart was not delivered after it")
		}
	}
}
