// Package bustest is the contract suite every bus transport must pass,
// run against each transport's real broker or faithful protocol peer.
package bustest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// Capabilities says what a transport cannot do, or how slowly it does it,
// so that the suite checks everything else.
type Capabilities struct {
	// TakesTurns: replicas of a group read in turns under a lock (SQL and
	// SQLite buses) rather than at the same time, so same_group_shares_work
	// checks only that together they get every message.
	TakesTurns bool
	// PerKeyOrder: events with the same key are handled in publish order
	// within a group. KeyedReplicas: that order holds with two replicas of
	// the group too (the key picks the replica, as a Kafka partition does);
	// otherwise per_key_order runs one replica.
	PerKeyOrder   bool
	KeyedReplicas bool
	// NoOrderReason explains why per_key_order is skipped.
	NoOrderReason string
	// RedeliveryWait bounds how long a nacked or abandoned message may take
	// to come back (ack wait, visibility timeout, lock timeout, min idle).
	RedeliveryWait time.Duration
	// RestartBroker stops the transport's private broker and starts it again
	// with its data. Nil skips reconnect_after_broker_restart for
	// NoRestartReason.
	RestartBroker   func(t *testing.T)
	NoRestartReason string
}

// receiveTimeout bounds every wait for a message that should arrive.
const receiveTimeout = 30 * time.Second

// Run runs the contract suite. open returns a new connection to the same
// broker each time it is called; Run closes it.
func Run(t *testing.T, open func(t *testing.T) bus.Transport, caps Capabilities) {
	if caps.RedeliveryWait == 0 {
		caps.RedeliveryWait = 10 * time.Second
	}
	s := suite{open: func(t *testing.T) bus.Transport {
		tr := open(t)
		t.Cleanup(func() {
			if err := closeWithin(tr.Close, 20*time.Second); err != nil {
				t.Errorf("close transport: %v", err)
			}
		})
		return tr
	}, caps: caps}
	// The broker restart would disturb the other subtests: run it alone,
	// after them.
	t.Run("contract", func(t *testing.T) {
		for _, c := range []struct {
			name string
			run  func(t *testing.T)
		}{
			{"publish_and_consume", s.publishAndConsume},
			{"same_group_shares_work", s.sameGroupSharesWork},
			{"groups_each_get_every_event", s.groupsEachGetEveryEvent},
			{"nack_redelivers", s.nackRedelivers},
			{"crashed_consumer_redelivers", s.crashedConsumerRedelivers},
			{"per_key_order", s.perKeyOrder},
		} {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				c.run(t)
			})
		}
	})
	t.Run("reconnect_after_broker_restart", s.reconnectAfterBrokerRestart)
}

type suite struct {
	open func(t *testing.T) bus.Transport
	caps Capabilities
}

func (s suite) publishAndConsume(t *testing.T) {
	tr := s.open(t)
	topic := Name("topic")
	msgs := subscribe(t, tr, Name("group"), topic)
	sent := publish(t, tr, topic, 100, func(i int) string { return fmt.Sprintf("key-%d", i%7) })

	want := map[string]bus.Event{}
	for _, e := range sent {
		want[e.ID] = e
	}
	got := map[string]bool{}
	deadline := time.After(receiveTimeout)
	for len(got) < len(want) {
		select {
		case m, ok := <-msgs:
			if !ok {
				t.Fatalf("subscription closed after %d of %d events", len(got), len(want))
			}
			e, err := bus.FromMessage(m)
			m.Ack()
			if err != nil {
				t.Fatal(err)
			}
			w, ok := want[e.ID]
			if !ok {
				t.Fatalf("unexpected event %s", e.ID)
			}
			assertSameEvent(t, w, e)
			got[e.ID] = true
		case <-deadline:
			t.Fatalf("got %d of %d events in %s", len(got), len(want), receiveTimeout)
		}
	}
}

func (s suite) sameGroupSharesWork(t *testing.T) {
	tr := s.open(t)
	topic, group := Name("topic"), Name("group")
	a := subscribe(t, tr, group, topic)
	b := subscribe(t, tr, group, topic)

	var mu sync.Mutex
	seen := map[string]bool{}
	perReplica := [2]int{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i, ch := range []<-chan *message.Message{a, b} {
		go func() {
			for {
				select {
				case m, ok := <-ch:
					if !ok {
						return
					}
					time.Sleep(2 * time.Millisecond) // some work, so the other replica gets a turn
					mu.Lock()
					seen[m.UUID] = true
					perReplica[i]++
					mu.Unlock()
					m.Ack()
				case <-ctx.Done():
					return
				}
			}
		}()
	}

	// Publish in waves until both replicas have worked (a Kafka group may
	// still be rebalancing when the first wave lands), then wait for all.
	var sent []bus.Event
	deadline := time.Now().Add(receiveTimeout)
	for {
		sent = append(sent, publish(t, tr, topic, 10, nil)...)
		mu.Lock()
		both := perReplica[0] > 0 && perReplica[1] > 0
		mu.Unlock()
		if len(sent) >= 50 && (both || s.caps.TakesTurns) {
			break
		}
		if time.Now().After(deadline) {
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("after %d events the replicas handled %d and %d: the group does not share work", len(sent), perReplica[0], perReplica[1])
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitFor(t, receiveTimeout, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range sent {
			if !seen[e.ID] {
				return false
			}
		}
		return true
	}, func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("the group got %d of %d events", len(seen), len(sent))
	})
	mu.Lock()
	t.Logf("replicas handled %d and %d deliveries of %d events", perReplica[0], perReplica[1], len(sent))
	mu.Unlock()
}

func (s suite) groupsEachGetEveryEvent(t *testing.T) {
	tr := s.open(t)
	topic := Name("topic")
	a := subscribe(t, tr, Name("groupa"), topic)
	b := subscribe(t, tr, Name("groupb"), topic)
	sent := publish(t, tr, topic, 50, nil)
	var wg sync.WaitGroup
	for name, ch := range map[string]<-chan *message.Message{"first group": a, "second group": b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := receiveAll(ch, sent, receiveTimeout); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}()
	}
	wg.Wait()
}

func (s suite) nackRedelivers(t *testing.T) {
	tr := s.open(t)
	topic := Name("topic")
	msgs := subscribe(t, tr, Name("group"), topic)
	e := publish(t, tr, topic, 1, nil)[0]

	m := receive(t, msgs, receiveTimeout)
	if m.UUID != e.ID {
		t.Fatalf("got %s, want %s", m.UUID, e.ID)
	}
	m.Nack()
	again := receive(t, msgs, s.caps.RedeliveryWait+5*time.Second)
	if again.UUID != e.ID {
		t.Fatalf("after a nack got %s, want %s again", again.UUID, e.ID)
	}
	again.Ack()
}

func (s suite) crashedConsumerRedelivers(t *testing.T) {
	tr := s.open(t)
	topic, group := Name("topic"), Name("group")
	subs := [2]message.Subscriber{}
	chans := [2]<-chan *message.Message{}
	for i := range subs {
		sub, err := tr.Subscriber(group)
		if err != nil {
			t.Fatal(err)
		}
		subs[i] = sub
		chans[i] = subscribeWith(t, sub, topic)
	}
	e := publish(t, tr, topic, 1, nil)[0]

	// Whichever replica gets the event dies without acking it.
	var crashed int
	select {
	case m := <-chans[0]:
		crashed = 0
		if m == nil || m.UUID != e.ID {
			t.Fatalf("got %v, want %s", m, e.ID)
		}
	case m := <-chans[1]:
		crashed = 1
		if m == nil || m.UUID != e.ID {
			t.Fatalf("got %v, want %s", m, e.ID)
		}
	case <-time.After(receiveTimeout):
		t.Fatal("no replica got the event")
	}
	if err := closeWithin(subs[crashed].Close, 20*time.Second); err != nil {
		t.Fatalf("close the crashed subscriber: %v", err)
	}
	m := receive(t, chans[1-crashed], s.caps.RedeliveryWait+10*time.Second)
	if m.UUID != e.ID {
		t.Fatalf("the surviving replica got %s, want %s", m.UUID, e.ID)
	}
	m.Ack()
}

func (s suite) perKeyOrder(t *testing.T) {
	if !s.caps.PerKeyOrder {
		t.Skip(s.caps.NoOrderReason)
	}
	tr := s.open(t)
	topic, group := Name("topic"), Name("group")
	replicas := 1
	if s.caps.KeyedReplicas {
		replicas = 2
	}
	const keys, perKey = 4, 20

	var mu sync.Mutex
	next := map[string]int{} // key → the sequence number expected next
	done := 0
	var violation error
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range replicas {
		ch := subscribe(t, tr, group, topic)
		go func() {
			for {
				select {
				case m, ok := <-ch:
					if !ok {
						return
					}
					var p struct{ Seq int }
					_ = json.Unmarshal(m.Payload, &p)
					key := m.Metadata.Get(bus.MetaKey)
					time.Sleep(time.Millisecond)
					mu.Lock()
					switch {
					case p.Seq == next[key]:
						next[key]++
						done++
					case p.Seq > next[key] && violation == nil:
						violation = fmt.Errorf("key %s: event %d handled before event %d", key, p.Seq, next[key])
					}
					mu.Unlock()
					m.Ack()
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	// Keys interleave; each key's events go out in order.
	pub := tr.Publisher()
	seq := map[string]int{}
	for i := range keys * perKey {
		key := fmt.Sprintf("aggregate-%d", i%keys)
		e := NewEvent(key)
		e.Data = json.RawMessage(fmt.Sprintf(`{"seq":%d}`, seq[key]))
		seq[key]++
		if err := pub.Publish(topic, e.Message()); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, receiveTimeout, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return done == keys*perKey || violation != nil
	}, func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("handled %d of %d events in order", done, keys*perKey)
	})
	mu.Lock()
	defer mu.Unlock()
	if violation != nil {
		t.Fatal(violation)
	}
}

func (s suite) reconnectAfterBrokerRestart(t *testing.T) {
	if s.caps.RestartBroker == nil {
		t.Skip(s.caps.NoRestartReason)
	}
	tr := s.open(t)
	topic := Name("topic")
	msgs := subscribe(t, tr, Name("group"), topic)
	if err := receiveAll(msgs, publish(t, tr, topic, 5, nil), receiveTimeout); err != nil {
		t.Fatalf("before the restart: %v", err)
	}
	s.caps.RestartBroker(t)

	// Publishing may fail until the client has reconnected; the outbox
	// retries the same way.
	var after []bus.Event
	deadline := time.Now().Add(receiveTimeout)
	for len(after) < 5 {
		e := NewEvent("k")
		if err := tr.Publisher().Publish(topic, e.Message()); err != nil {
			if time.Now().After(deadline) {
				t.Fatalf("publish after the restart: %v", err)
			}
			time.Sleep(250 * time.Millisecond)
			continue
		}
		after = append(after, e)
	}
	if err := receiveAll(msgs, after, receiveTimeout); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
}

// Name returns a unique name with the given prefix, so that runs and
// parallel tests never share a topic or group.
func Name(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

// NewEvent returns an event with every envelope field set.
func NewEvent(key string) bus.Event {
	id := Name("evt")
	return bus.Event{
		ID: id, Type: "test.thing.happened.v1", Source: "/alexandria/bustest",
		Subject: "thing/" + key, Time: time.Now().UTC().Truncate(time.Microsecond), Key: key,
		Data:          json.RawMessage(`{"id":"` + id + `","note":"héllo"}`),
		TraceParent:   "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		TraceState:    "vendor=value",
		CorrelationID: "corr-" + id, CausationID: "cause-" + id,
	}
}

func publish(t *testing.T, tr bus.Transport, topic string, n int, key func(i int) string) []bus.Event {
	t.Helper()
	events := make([]bus.Event, n)
	msgs := make([]*message.Message, n)
	for i := range n {
		k := Name("key") // distinct keys spread over partitions
		if key != nil {
			k = key(i)
		}
		events[i] = NewEvent(k)
		msgs[i] = events[i].Message()
	}
	for start := 0; start < n; start += 10 {
		if err := tr.Publisher().Publish(topic, msgs[start:min(start+10, n)]...); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	return events
}

func subscribe(t *testing.T, tr bus.Transport, group, topic string) <-chan *message.Message {
	t.Helper()
	sub, err := tr.Subscriber(group)
	if err != nil {
		t.Fatal(err)
	}
	return subscribeWith(t, sub, topic)
}

func subscribeWith(t *testing.T, sub message.Subscriber, topic string) <-chan *message.Message {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		if err := closeWithin(sub.Close, 20*time.Second); err != nil {
			t.Errorf("close subscriber: %v", err)
		}
	})
	// Subscribe keeps its context for the whole subscription, so the setup
	// is bounded by a timer instead of a context deadline.
	type result struct {
		ch  <-chan *message.Message
		err error
	}
	done := make(chan result, 1)
	go func() {
		ch, err := sub.Subscribe(ctx, topic)
		done <- result{ch, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("subscribe %s: %v", topic, r.err)
		}
		return r.ch
	case <-time.After(receiveTimeout):
		t.Fatalf("subscribe %s: no answer in %s", topic, receiveTimeout)
	}
	return nil
}

func receive(t *testing.T, ch <-chan *message.Message, timeout time.Duration) *message.Message {
	t.Helper()
	select {
	case m, ok := <-ch:
		if !ok {
			t.Fatal("subscription closed")
		}
		return m
	case <-time.After(timeout):
		t.Fatalf("no message in %s", timeout)
	}
	return nil
}

// receiveAll acks messages until every event in want has arrived.
func receiveAll(ch <-chan *message.Message, want []bus.Event, timeout time.Duration) error {
	missing := map[string]bool{}
	for _, e := range want {
		missing[e.ID] = true
	}
	deadline := time.After(timeout)
	for len(missing) > 0 {
		select {
		case m, ok := <-ch:
			if !ok {
				return errors.New("subscription closed")
			}
			delete(missing, m.UUID)
			m.Ack()
		case <-deadline:
			return fmt.Errorf("%d of %d events missing after %s", len(missing), len(want), timeout)
		}
	}
	return nil
}

func assertSameEvent(t *testing.T, want, got bus.Event) {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(want.Data, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got.Data, &b); err != nil {
		t.Fatalf("payload %q is not the JSON sent: %v", got.Data, err)
	}
	wa, _ := json.Marshal(a)
	gb, _ := json.Marshal(b)
	if !bytes.Equal(wa, gb) {
		t.Fatalf("payload %s, want %s", gb, wa)
	}
	want.Data, got.Data = nil, nil
	if !want.Time.Equal(got.Time) {
		t.Fatalf("time %v, want %v", got.Time, want.Time)
	}
	want.Time, got.Time = time.Time{}, time.Time{}
	if fmt.Sprintf("%+v", want) != fmt.Sprintf("%+v", got) {
		t.Fatalf("envelope did not round-trip:\n got %+v\nwant %+v", got, want)
	}
}

func waitFor(t *testing.T, timeout time.Duration, cond func() bool, describe func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, describe())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func closeWithin(closeFn func() error, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- closeFn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("still closing after %s", timeout)
	}
}

// RequireServers reports whether a missing server fails the tests instead of
// skipping them (testkit.RequireServers).
func RequireServers() bool { return testkit.RequireServers() }

// Unreachable skips the test, or fails it when servers are required
// (testkit.SkipOrFail).
func Unreachable(t *testing.T, what string, err error) {
	t.Helper()
	testkit.SkipOrFail(t, what, err)
}
