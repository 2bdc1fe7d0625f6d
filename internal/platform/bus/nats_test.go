package bus_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
)

// TestNATS runs the contract against a private nats-server with JetStream,
// so that it can restart the broker.
func TestNATS(t *testing.T) {
	bin := binary(t, "/usr/sbin/nats-server", "nats-server")
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	srv := startProcess(t, bin, addr, "-a", "127.0.0.1", "-p", fmt.Sprint(port), "-js", "-sd", t.TempDir())
	bustest.Run(t, openURL("nats://"+addr+"?ack_wait=2s"), bustest.Capabilities{
		PerKeyOrder:    true,
		RedeliveryWait: 4 * time.Second,
		RestartBroker:  srv.restart,
	})
}

// TestNATSCancelWhileDelivering ends subscriptions while JetStream is still
// delivering to them. The subscriber from watermill-nats closed the output
// channel under a callback that was sending on it, and the process panicked
// with "send on closed channel" at shutdown; ours must close the channel
// once, after every delivery has returned, and leave unacknowledged messages
// to the group's next subscriber.
func TestNATSCancelWhileDelivering(t *testing.T) {
	bin := binary(t, "/usr/sbin/nats-server", "nats-server")
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startProcess(t, bin, addr, "-a", "127.0.0.1", "-p", fmt.Sprint(port), "-js", "-sd", t.TempDir())
	tr := openURL("nats://" + addr + "?ack_wait=2s")(t)
	topic := bustest.Name("cancel")
	const total = 400
	msgs := make([]*message.Message, total)
	for i := range msgs {
		msgs[i] = bustest.NewEvent(bustest.Name("k")).Message()
	}
	if err := tr.Publisher().Publish(topic, msgs...); err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	for round := 0; len(acked) < total; round++ {
		if round > 200 {
			t.Fatalf("only %d of %d messages acknowledged after %d rounds", len(acked), total, round)
		}
		sub, err := tr.Subscriber("cancel-group")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := sub.Subscribe(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		// Take a few, acknowledge them, then end the subscription while the
		// pull batch is still being pushed into the channel.
		for taken := 0; taken < 5; {
			select {
			case m, ok := <-ch:
				if !ok {
					t.Fatal("channel closed before cancel")
				}
				acked[m.UUID] = true
				m.Ack()
				taken++
			case <-time.After(10 * time.Second):
				if len(acked) == total {
					taken = 5
					continue
				}
				t.Fatalf("round %d: nothing delivered in 10s (%d acknowledged)", round, len(acked))
			}
		}
		cancel()
		closed := time.After(10 * time.Second)
	drain:
		for {
			select {
			case m, ok := <-ch:
				if !ok {
					break drain
				}
				m.Nack()
			case <-closed:
				t.Fatalf("round %d: output not closed 10s after cancel", round)
			}
		}
		if err := sub.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
	}
}
