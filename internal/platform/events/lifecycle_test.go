package events_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// closingTransport hands out subscriptions whose channels the test closes,
// as a broker connection that gives up would.
type closingTransport struct {
	bus.Transport
	mu    sync.Mutex
	chans []chan *message.Message
}

func (c *closingTransport) Subscriber(string) (message.Subscriber, error) { return closingSub{c}, nil }

func (c *closingTransport) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.chans {
		close(ch)
	}
	c.chans = nil
}

type closingSub struct{ c *closingTransport }

func (s closingSub) Subscribe(context.Context, string) (<-chan *message.Message, error) {
	ch := make(chan *message.Message)
	s.c.mu.Lock()
	s.c.chans = append(s.c.chans, ch)
	s.c.mu.Unlock()
	return ch, nil
}

func (closingSub) Close() error { return nil }

func TestClosedSubscriptionFailsThePipeline(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	tr := &closingTransport{Transport: bus.NewMemory(nil)}
	d := moduletest.OpenDB(t, s, "closing", effectsMigration)
	p, err := events.New(context.Background(), events.Setup{Service: "closing", DB: d, Bus: tr,
		Config: moduletest.FastEvents(), Metrics: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	p.Handle("upstream", "upstream.thing.happened.v1", effect("x"))
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if err := p.Err(); err != nil {
		t.Fatalf("Err before the subscription closed = %v, want nil", err)
	}
	tr.closeAll()
	eventually(t, "the pipeline reports the closed subscription", func() bool {
		err := p.Err()
		return err != nil && strings.Contains(err.Error(), "subscription to upstream closed")
	})
}

func TestStopAfterStartLeavesNoFailure(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	f := newFixture(t, s, bus.NewMemory(nil), "stopping")
	f.pipe.Handle("upstream", "upstream.thing.happened.v1", effect("x"))
	if err := f.pipe.Start(); err != nil {
		t.Fatal(err)
	}
	if err := f.pipe.Close(context.Background()); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := f.pipe.Err(); err != nil {
		t.Fatalf("Err after a requested stop = %v, want nil", err)
	}
}
