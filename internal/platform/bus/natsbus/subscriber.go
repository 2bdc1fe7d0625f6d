package natsbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// subscriber is the group's JetStream subscriber. It replaces the one in
// watermill-nats, whose subscription monitor closes the output channel while
// a delivery callback may still be sending on it ("send on closed channel" at
// shutdown). Here a subscription's output is closed only after consumption
// has stopped and every callback in flight has returned.
type subscriber struct {
	conn    *nats.Conn // owned: drained on Close
	js      jetstream.JetStream
	cfg     natsConfig
	group   string
	log     *slog.Logger
	mu      sync.Mutex
	closed  bool
	closing chan struct{}
	subs    sync.WaitGroup
}

var _ message.Subscriber = (*subscriber)(nil)

func newSubscriber(conn *nats.Conn, cfg natsConfig, group string, log *slog.Logger) (*subscriber, error) {
	js, err := jetstream.New(conn)
	if err != nil {
		return nil, fmt.Errorf("bus: nats: %w", err)
	}
	return &subscriber{conn: conn, js: js, cfg: cfg, group: group, log: log, closing: make(chan struct{})}, nil
}

// subscription is one topic's consumption. stopped, read and written under
// mu, decides whether a callback may still start; inflight counts those that
// did, so the output channel is closed only when none can send on it.
type subscription struct {
	mu       sync.Mutex
	stopped  bool
	inflight sync.WaitGroup
	done     chan struct{} // closed when the subscription ends
	out      chan *message.Message
}

// Subscribe starts pulling the topic through the group's durable consumer.
// The channel closes when ctx ends or the subscriber is closed.
func (s *subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errors.New("bus: nats: subscriber closed")
	}
	s.subs.Add(1)
	s.mu.Unlock()

	cons, err := s.consumer(ctx, topic)
	if err != nil {
		s.subs.Done()
		return nil, err
	}
	sub := &subscription{done: make(chan struct{}), out: make(chan *message.Message)}
	cc, err := cons.Consume(func(msg jetstream.Msg) {
		sub.mu.Lock()
		if sub.stopped {
			sub.mu.Unlock()
			return // not acknowledged: JetStream redelivers it
		}
		sub.inflight.Add(1)
		sub.mu.Unlock()
		defer sub.inflight.Done()
		s.deliver(ctx, sub, msg)
	}, jetstream.PullMaxMessages(16)) // a small batch keeps messages from piling up in one replica's buffer
	if err != nil {
		s.subs.Done()
		return nil, fmt.Errorf("bus: nats consume %s: %w", topic, err)
	}
	go func() {
		defer s.subs.Done()
		select {
		case <-ctx.Done():
		case <-s.closing:
		}
		close(sub.done)
		sub.mu.Lock()
		sub.stopped = true
		sub.mu.Unlock()
		cc.Stop()
		sub.inflight.Wait()
		close(sub.out)
	}()
	return sub.out, nil
}

// consumer creates (or finds) the group's durable consumer on the topic's
// stream. It is never deleted by a subscriber: the group's position outlives
// its replicas.
func (s *subscriber) consumer(ctx context.Context, topic string) (jetstream.Consumer, error) {
	st, err := s.cfg.ensureStream(ctx, s.js, topic)
	if err != nil {
		return nil, err
	}
	cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       s.group,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.cfg.ackWait,
		MaxDeliver:    -1,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: nats consumer %s on %s: %w", s.group, topic, err)
	}
	return cons, nil
}

// deliver hands one message to the subscription's reader and settles it
// with JetStream as the reader decides: ack (confirmed by the server), nack
// (redelivered at once), or nothing within ack_wait or before shutdown
// (redelivered after ack_wait).
func (s *subscriber) deliver(ctx context.Context, sub *subscription, msg jetstream.Msg) {
	m, err := unmarshal(msg)
	if err != nil {
		// A message this transport cannot read never will be: drop it from
		// the stream instead of redelivering it forever.
		s.log.ErrorContext(ctx, "bus: nats: unreadable message terminated", "subject", msg.Subject(), "error", err)
		if err := msg.Term(); err != nil {
			s.log.WarnContext(ctx, "bus: nats: term", "error", err)
		}
		return
	}
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m.SetContext(mctx)

	select {
	case <-sub.done:
		return
	case sub.out <- m:
	}
	timeout := time.NewTimer(s.cfg.ackWait)
	defer timeout.Stop()
	select {
	case <-m.Acked():
		actx, acancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer acancel()
		if err := msg.DoubleAck(actx); err != nil {
			s.log.WarnContext(ctx, "bus: nats: ack not confirmed; the message may come again", "message_id", m.UUID, "error", err)
		}
	case <-m.Nacked():
		if err := msg.Nak(); err != nil {
			s.log.WarnContext(ctx, "bus: nats: nak", "message_id", m.UUID, "error", err)
		}
	case <-timeout.C:
	case <-sub.done:
	}
}

// Close ends every subscription, waits for their deliveries to return, then
// drains the connection.
func (s *subscriber) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()

	waited := make(chan struct{})
	go func() { s.subs.Wait(); close(waited) }()
	var err error
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		err = errors.New("bus: nats: subscriptions did not stop within 5s")
	}
	if derr := s.conn.Drain(); derr != nil && !errors.Is(derr, nats.ErrConnectionClosed) {
		err = errors.Join(err, fmt.Errorf("bus: nats drain: %w", derr))
	}
	return err
}

// unmarshal reads what watermill-nats' publisher wrote: the payload as the
// body, the message ID in its own header, metadata in the other headers.
func unmarshal(msg jetstream.Msg) (*message.Message, error) {
	hdr := msg.Headers()
	md := make(message.Metadata, len(hdr))
	for k, v := range hdr {
		switch k {
		case wmnats.WatermillUUIDHdr, nats.MsgIdHdr, nats.ExpectedLastMsgIdHdr, nats.ExpectedStreamHdr,
			nats.ExpectedLastSubjSeqHdr, nats.ExpectedLastSeqHdr:
			continue
		}
		if len(v) != 1 {
			return nil, fmt.Errorf("header %q has %d values", k, len(v))
		}
		md.Set(k, v[0])
	}
	m := message.NewMessage(hdr.Get(wmnats.WatermillUUIDHdr), msg.Data())
	m.Metadata = md
	return m, nil
}
