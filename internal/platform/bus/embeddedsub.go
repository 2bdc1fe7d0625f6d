package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"
)

// wakeHub tells the embedded bus's subscriptions in this process that a topic
// has new rows, so a consumer starts reading right after the publish commits
// instead of at its next poll. Each topic has a channel that is closed (and
// replaced) by a publish: a subscription takes the channel before it reads,
// so a publish between its read and its wait is never missed.
type wakeHub struct {
	mu sync.Mutex
	ch map[string]chan struct{}
}

func newWakeHub() *wakeHub { return &wakeHub{ch: map[string]chan struct{}{}} }

func (h *wakeHub) watch(topic string) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.ch[topic]
	if !ok {
		c = make(chan struct{})
		h.ch[topic] = c
	}
	return c
}

func (h *wakeHub) signal(topic string) {
	h.mu.Lock()
	c, ok := h.ch[topic]
	delete(h.ch, topic)
	h.mu.Unlock()
	if ok {
		close(c)
	}
}

// wakingPublisher wakes this process's subscriptions of a topic once the
// publish has committed.
type wakingPublisher struct {
	message.Publisher
	hub *wakeHub
}

func (p wakingPublisher) Publish(topic string, msgs ...*message.Message) error {
	if err := p.Publisher.Publish(topic, msgs...); err != nil {
		return err
	}
	p.hub.signal(topic)
	return nil
}

// embeddedSubscriber reads the tables of the Watermill SQLite publisher
// (watermill_<topic> with an AUTOINCREMENT offset, watermill_offsets_<topic>
// with one row per consumer group), with the same claim protocol as
// wmsqlitezombiezen's subscriber, so bus.db files stay compatible both ways:
// a group claims a batch by setting locked_until on its offsets row in an
// IMMEDIATE transaction, hands the messages out one at a time, and stores
// the last acknowledged offset when the batch is done. A replica that dies
// holding the claim blocks its group for lockTimeout.
//
// What differs is when it reads: a publish from this process wakes it at
// once (wakeHub), and the idle poll, which catches other processes' publishes
// and expired claims, first asks SQLite whether anything was committed since
// the last empty read (PRAGMA data_version) and only then takes the write
// lock — so an idle subscription costs a read, not a write transaction.
type embeddedSubscriber struct {
	path        string
	group       string
	hub         *wakeHub
	poll        time.Duration
	lockTimeout time.Duration
	batch       int
	log         *slog.Logger

	closing   chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

func (s *embeddedSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	select {
	case <-s.closing:
		return nil, errors.New("bus: subscriber is closed")
	default:
	}
	conn, err := openSQLite(ctx, s.path)
	if err != nil {
		return nil, err
	}
	sub := &embeddedSubscription{s: s, conn: conn, topic: topic, out: make(chan *message.Message)}
	if err := sub.prepare(); err != nil {
		_ = conn.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		select {
		case <-ctx.Done():
		case <-s.closing:
		}
	}()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(sub.out)
		defer func() { _ = conn.Close() }()
		conn.SetInterrupt(ctx.Done())
		sub.run(ctx)
	}()
	return sub.out, nil
}

func (s *embeddedSubscriber) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	s.wg.Wait()
	return nil
}

type embeddedSubscription struct {
	s     *embeddedSubscriber
	conn  *sqlite.Conn
	topic string
	out   chan *message.Message

	qClaim, qBatch, qExtend, qRelease string
	dataVersion                       int64
}

func (e *embeddedSubscription) prepare() error {
	if err := CheckName("topic", e.topic); err != nil {
		return err
	}
	msgs, offsets := "watermill_"+e.topic, "watermill_offsets_"+e.topic
	ddl := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS '%s' (
			'offset' INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
			uuid TEXT NOT NULL,
			created_at TEXT NOT NULL,
			payload BLOB,
			metadata JSON NOT NULL
		);
		CREATE TABLE IF NOT EXISTS '%s' (
			consumer_group TEXT NOT NULL,
			offset_acked INTEGER NOT NULL,
			locked_until INTEGER NOT NULL,
			PRIMARY KEY(consumer_group)
		);`, msgs, offsets)
	if err := sqlitex.ExecuteScript(e.conn, ddl, nil); err != nil {
		return fmt.Errorf("bus: create tables of %s: %w", e.topic, err)
	}
	if err := sqlitex.Execute(e.conn, fmt.Sprintf(
		`INSERT INTO '%s' (consumer_group, offset_acked, locked_until) VALUES (?, 0, 0) ON CONFLICT(consumer_group) DO NOTHING`, offsets),
		&sqlitex.ExecOptions{Args: []any{e.s.group}}); err != nil {
		return fmt.Errorf("bus: register group %s on %s: %w", e.s.group, e.topic, err)
	}
	lock := int(e.s.lockTimeout / time.Second)
	e.qClaim = fmt.Sprintf(`UPDATE '%s' SET locked_until = unixepoch() + %d
		WHERE consumer_group = ? AND locked_until < unixepoch() RETURNING offset_acked`, offsets, lock)
	e.qBatch = fmt.Sprintf(`SELECT "offset", uuid, payload, metadata FROM '%s' WHERE "offset" > ? ORDER BY "offset" LIMIT %d`, msgs, e.s.batch)
	e.qExtend = fmt.Sprintf(`UPDATE '%s' SET locked_until = unixepoch() + %d, offset_acked = ?
		WHERE consumer_group = ? AND offset_acked = ? AND locked_until >= unixepoch() RETURNING 1`, offsets, lock)
	e.qRelease = fmt.Sprintf(`UPDATE '%s' SET offset_acked = ?, locked_until = 0 WHERE consumer_group = ? AND offset_acked = ?`, offsets)
	e.dataVersion = -1
	return nil
}

type rawRow struct {
	offset  int64
	uuid    string
	payload []byte
	meta    message.Metadata
}

// nackPause is how long a nacked message waits before it is handed out again.
const nackPause = 100 * time.Millisecond

var errClaimed = errors.New("bus: consumer group is claimed by another subscriber")

func (e *embeddedSubscription) run(ctx context.Context) {
	s := e.s
	idle := time.NewTimer(s.poll)
	defer idle.Stop()
	lastFull := time.Time{}
	for ctx.Err() == nil {
		wake := s.hub.watch(e.topic)
		// A full read takes the write lock; skip it when nothing was committed
		// since the last empty one, but not for longer than a claim can last
		// (an expired claim changes no data).
		changed, err := e.changed()
		n := 0
		if err == nil && (changed || time.Since(lastFull) >= time.Second) {
			lastFull = time.Now()
			n, err = e.round(ctx)
		}
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, errClaimed):
			e.dataVersion = -1
		case err != nil:
			e.dataVersion = -1
			s.log.WarnContext(ctx, "embedded bus read failed; retrying", slog.String("topic", e.topic), slog.String("group", s.group), slog.Any("error", err))
		case n > 0:
			e.dataVersion = -1
			continue // there may be more
		}
		idle.Reset(s.poll)
		select {
		case <-ctx.Done():
			return
		case <-wake:
			idle.Stop()
			e.dataVersion = -1
		case <-idle.C:
		}
	}
}

// changed reports whether another connection committed to the file since the
// last empty read.
func (e *embeddedSubscription) changed() (bool, error) {
	var v int64
	if err := sqlitex.Execute(e.conn, "PRAGMA data_version", &sqlitex.ExecOptions{ResultFunc: func(st *sqlite.Stmt) error {
		v = st.ColumnInt64(0)
		return nil
	}}); err != nil {
		return false, err
	}
	old := e.dataVersion
	e.dataVersion = v
	return old != v, nil
}

// round claims and delivers one batch; n is the number of messages read.
func (e *embeddedSubscription) round(ctx context.Context) (n int, err error) {
	from, rows, err := e.claim()
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	acked := from
	defer func() {
		// Store what was acknowledged and let the claim go, also when the
		// subscription is stopping half-way (the rest is delivered again).
		conn := e.conn
		old := conn.SetInterrupt(nil)
		rerr := sqlitex.Execute(conn, e.qRelease, &sqlitex.ExecOptions{Args: []any{acked, e.s.group, from}})
		conn.SetInterrupt(old)
		if err == nil && rerr != nil {
			err = fmt.Errorf("bus: store offset: %w", rerr)
		}
	}()
	claimed := from
	extend := time.NewTicker(e.s.lockTimeout / 2)
	defer extend.Stop()
	for _, r := range rows {
		for {
			msg := message.NewMessage(r.uuid, r.payload)
			msg.Metadata = r.meta
			mctx, cancel := context.WithCancel(ctx)
			msg.SetContext(mctx)
			ok, err := e.deliver(ctx, msg, extend, &acked, &claimed)
			cancel()
			if err != nil || ctx.Err() != nil {
				return len(rows), err
			}
			if ok {
				acked = r.offset
				break
			}
			// Nacked: hand the same message out again, after a pause so a
			// consumer that keeps failing does not spin.
			select {
			case <-ctx.Done():
				return len(rows), nil
			case <-time.After(nackPause):
			}
		}
	}
	return len(rows), nil
}

// deliver hands msg out and waits for its ack (true) or nack (false),
// renewing the group's claim meanwhile.
func (e *embeddedSubscription) deliver(ctx context.Context, msg *message.Message, extend *time.Ticker, acked, claimed *int64) (bool, error) {
	for sent := false; ; {
		var out chan *message.Message
		if !sent {
			out = e.out
		}
		select {
		case <-ctx.Done():
			return false, nil
		case out <- msg:
			sent = true
		case <-extend.C:
			if err := e.extend(*acked, *claimed); err != nil {
				return false, err
			}
			*claimed = *acked
		case <-msg.Acked():
			return true, nil
		case <-msg.Nacked():
			return false, nil
		}
	}
}

func (e *embeddedSubscription) extend(acked, claimed int64) error {
	got := false
	err := sqlitex.Execute(e.conn, e.qExtend, &sqlitex.ExecOptions{
		Args:       []any{acked, e.s.group, claimed},
		ResultFunc: func(*sqlite.Stmt) error { got = true; return nil },
	})
	if err != nil {
		return fmt.Errorf("bus: renew claim: %w", err)
	}
	if !got {
		return errors.New("bus: lost the consumer group's claim")
	}
	return nil
}

// claim takes the group's claim and reads the next batch after its offset; an
// empty batch leaves the claim untaken (the transaction rolls back).
func (e *embeddedSubscription) claim() (from int64, rows []rawRow, err error) {
	end, err := sqlitex.ImmediateTransaction(e.conn)
	if err != nil {
		return 0, nil, err
	}
	keep := false
	defer func() {
		if err == nil && !keep {
			rollback := errors.New("nothing to claim")
			end(&rollback)
			return
		}
		end(&err)
	}()
	claimed := false
	if err = sqlitex.Execute(e.conn, e.qClaim, &sqlitex.ExecOptions{
		Args: []any{e.s.group},
		ResultFunc: func(st *sqlite.Stmt) error {
			from, claimed = st.ColumnInt64(0), true
			return nil
		},
	}); err != nil {
		return 0, nil, err
	}
	if !claimed {
		return 0, nil, errClaimed
	}
	err = sqlitex.Execute(e.conn, e.qBatch, &sqlitex.ExecOptions{
		Args: []any{from},
		ResultFunc: func(st *sqlite.Stmt) error {
			r := rawRow{offset: st.ColumnInt64(0), uuid: st.ColumnText(1)}
			r.payload = make([]byte, st.ColumnLen(2))
			st.ColumnBytes(2, r.payload)
			meta := make([]byte, st.ColumnLen(3))
			st.ColumnBytes(3, meta)
			if err := json.Unmarshal(meta, &r.meta); err != nil {
				return fmt.Errorf("bus: message %s has unreadable metadata: %w", r.uuid, err)
			}
			rows = append(rows, r)
			return nil
		},
	})
	if err != nil {
		return 0, nil, err
	}
	keep = len(rows) > 0
	return from, rows, nil
}
