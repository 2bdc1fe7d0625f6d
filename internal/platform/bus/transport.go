package bus

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// CheckName accepts what every broker accepts in a topic or consumer group
// name (SQS queue names, NATS stream and consumer names, SQL table names):
// 1-100 ASCII letters, digits, '_' and '-', and no "__", which separates a
// topic from a group in derived queue and subscription names.
func CheckName(kind, name string) error {
	ok := len(name) >= 1 && len(name) <= 100 && !strings.Contains(name, "__")
	for _, r := range name {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}
	if !ok {
		return fmt.Errorf("bus: %s %q must be 1-100 letters, digits, '_' or '-', without \"__\"", kind, name)
	}
	return nil
}

// Parts are what a broker adapter provides; NewTransport assembles them.
type Parts struct {
	Name      string            // the transport's scheme, e.g. "kafka"
	Publisher message.Publisher // safe for concurrent use
	// Prepare, when set, runs once per topic before its first publish
	// (stream, exchange or topic provisioning).
	Prepare func(topic string) error
	// NewSubscriber makes a subscriber for a consumer group.
	NewSubscriber func(group string) (message.Subscriber, error)
	// Release runs after the publisher and subscribers are closed.
	Release []func() error
}

// NewTransport is the Transport every broker adapter returns: it checks
// topic and group names before the broker sees them, runs Prepare once per
// topic, and on Close closes the subscribers it made, the publisher, then
// the released resources.
func NewTransport(p Parts) Transport {
	return &transport{
		name:    p.Name,
		pub:     &checkedPublisher{Publisher: p.Publisher, prepare: p.Prepare},
		newSub:  p.NewSubscriber,
		release: p.Release,
	}
}

// transport is the Transport every broker adapter returns: one publisher,
// subscribers made per consumer group, and the resources to release.
type transport struct {
	name   string
	pub    message.Publisher
	newSub func(group string) (message.Subscriber, error)
	// release runs after the publisher and subscribers are closed.
	release []func() error

	mu     sync.Mutex
	subs   []message.Subscriber
	closed bool
}

func (t *transport) Name() string                 { return t.name }
func (t *transport) Publisher() message.Publisher { return t.pub }

func (t *transport) Subscriber(group string) (message.Subscriber, error) {
	if err := CheckName("consumer group", group); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, errors.New("bus: transport is closed")
	}
	s, err := t.newSub(group)
	if err != nil {
		return nil, err
	}
	t.subs = append(t.subs, s)
	return checkedSubscriber{s}, nil
}

// checkedSubscriber validates topic names before a broker sees them.
type checkedSubscriber struct{ message.Subscriber }

func (s checkedSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if err := CheckName("topic", topic); err != nil {
		return nil, err
	}
	return s.Subscriber.Subscribe(ctx, topic)
}

func (t *transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	subs := t.subs
	t.mu.Unlock()

	var errs []error
	for _, s := range subs {
		errs = append(errs, s.Close())
	}
	if t.pub != nil {
		errs = append(errs, t.pub.Close())
	}
	for _, r := range t.release {
		errs = append(errs, r())
	}
	return errors.Join(errs...)
}

// checkedPublisher validates topic names before a broker sees them and runs
// prepare once per topic (stream, exchange or table provisioning).
type checkedPublisher struct {
	message.Publisher
	prepare func(topic string) error

	mu    sync.Mutex
	ready map[string]bool
}

func (p *checkedPublisher) Publish(topic string, msgs ...*message.Message) error {
	if err := CheckName("topic", topic); err != nil {
		return err
	}
	if p.prepare != nil {
		p.mu.Lock()
		done := p.ready[topic]
		p.mu.Unlock()
		if !done {
			if err := p.prepare(topic); err != nil {
				return err
			}
			p.mu.Lock()
			if p.ready == nil {
				p.ready = map[string]bool{}
			}
			p.ready[topic] = true
			p.mu.Unlock()
		}
	}
	return p.Publisher.Publish(topic, msgs...)
}

// DurationParam reads a duration query parameter such as ?ack_wait=10s.
func DurationParam(q url.Values, key string, def time.Duration) (time.Duration, error) {
	v := q.Get(key)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("bus.url: %s=%q is not a positive duration", key, v)
	}
	return d, nil
}

// IntParam reads a positive integer query parameter such as ?partitions=8.
func IntParam(q url.Values, key string, def int) (int, error) {
	v := q.Get(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bus.url: %s=%q is not a positive integer", key, v)
	}
	return n, nil
}
