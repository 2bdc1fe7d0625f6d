package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
)

// relay moves outbox rows to the transport in id order and deletes them once
// the broker has accepted them. A crash between the two republishes the rows:
// delivery is at least once, and consumers deduplicate by event ID.
type relay struct {
	p    *Pipeline
	wake chan struct{}
	// fastPoll is how often the relay looks again shortly after activity,
	// so an event recorded just before its transaction commits is not left
	// waiting for the idle poll.
	fastPoll time.Duration
}

func newRelay(p *Pipeline) *relay {
	return &relay{p: p, wake: make(chan struct{}, 1), fastPoll: 5 * time.Millisecond}
}

func (r *relay) notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *relay) run(ctx context.Context) {
	cfg := r.p.setup.Config
	leader := newLeaderLock(r.p.setup.DB)
	defer leader.release()
	var backoff time.Duration
	var busyUntil, nextStats time.Time
	for ctx.Err() == nil {
		if time.Now().After(nextStats) {
			r.updateStats(ctx)
			nextStats = time.Now().Add(5 * time.Second)
		}
		if !leader.hold(ctx) {
			// Another replica relays; stand by.
			sleep(ctx, cfg.RelayPoll, nil)
			continue
		}
		n, err := r.flush(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.p.m.publishErrors.WithLabelValues(r.p.setup.Service).Inc()
			backoff = min(max(2*backoff, 100*time.Millisecond), 30*time.Second)
			r.p.log.Warn("publishing outbox failed; retrying", slog.Duration("in", backoff), slog.Any("error", err))
			sleep(ctx, backoff, nil)
			continue
		}
		backoff = 0
		if n == cfg.RelayBatch {
			continue
		}
		if n > 0 {
			busyUntil = time.Now().Add(2 * time.Second)
		}
		wait := cfg.RelayPoll
		if time.Now().Before(busyUntil) {
			wait = r.fastPoll
		}
		if woke := sleep(ctx, wait, r.wake); woke {
			busyUntil = time.Now().Add(2 * time.Second)
		}
	}
}

// flush publishes one batch and deletes what the broker accepted.
func (r *relay) flush(ctx context.Context) (int, error) {
	d := r.p.setup.DB
	var rows []outboxRow
	if err := d.NewSelect().Model(&rows).Order("id").Limit(int64(r.p.setup.Config.RelayBatch)).Scan(ctx); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	var done []int64
	var pubErr error
	pub := r.p.setup.Bus.Publisher()
	for i := 0; i < len(rows) && pubErr == nil; {
		// Consecutive rows for one topic go in one Publish call, in order.
		j := i
		msgs := []*message.Message{}
		for ; j < len(rows) && rows[j].Topic == rows[i].Topic; j++ {
			msg := message.NewMessage(rows[j].EventID, rows[j].Payload)
			if err := json.Unmarshal([]byte(rows[j].Metadata), &msg.Metadata); err != nil {
				r.p.log.Error("outbox row has unreadable metadata; publishing without it", slog.Int64("id", rows[j].ID), slog.Any("error", err))
			}
			msgs = append(msgs, msg)
		}
		if pubErr = pub.Publish(rows[i].Topic, msgs...); pubErr != nil {
			break
		}
		now := time.Now()
		for _, row := range rows[i:j] {
			done = append(done, row.ID)
			r.p.m.published.WithLabelValues(r.p.setup.Service, row.Type).Inc()
			r.p.m.publishLatency.WithLabelValues(r.p.setup.Service).Observe(now.Sub(row.CreatedAt).Seconds())
		}
		i = j
	}
	if len(done) > 0 {
		if _, err := d.NewDelete().TableExpr("outbox").Where("id IN (?)", bun.List(done)).Exec(ctx); err != nil {
			return len(done), err
		}
	}
	return len(done), pubErr
}

func (r *relay) updateStats(ctx context.Context) {
	d := r.p.setup.DB
	n, err := d.NewSelect().TableExpr("outbox").Count(ctx)
	if err != nil {
		return
	}
	svc := r.p.setup.Service
	r.p.m.backlog.WithLabelValues(svc).Set(float64(n))
	var oldest outboxRow
	if n == 0 || d.NewSelect().Model(&oldest).Column("created_at").Order("id").Limit(1).Scan(ctx) != nil {
		r.p.m.oldest.WithLabelValues(svc).Set(0)
		return
	}
	r.p.m.oldest.WithLabelValues(svc).Set(time.Since(oldest.CreatedAt).Seconds())
}

// sleep waits d, or until wake fires (true), or ctx ends.
func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-wake:
		return true
	}
	return false
}

// leaderLock elects one relay per service among replicas sharing a
// PostgreSQL schema: a session advisory lock held on a dedicated connection.
// On SQLite there is a single process per file, and it always leads.
type leaderLock struct {
	db      *db.DB
	key     int64
	conn    *sql.Conn
	checked time.Time
}

func newLeaderLock(d *db.DB) *leaderLock {
	h := fnv.New64a()
	_, _ = h.Write([]byte("alexandria-outbox:" + d.Schema))
	return &leaderLock{db: d, key: int64(h.Sum64() >> 1)}
}

// hold reports whether this relay leads, taking the lock when it is free.
func (l *leaderLock) hold(ctx context.Context) bool {
	if l.db.Dialect != db.Postgres {
		return true
	}
	if l.conn != nil {
		if time.Since(l.checked) < 5*time.Second {
			return true
		}
		// The lock lives as long as the session: check it is still there.
		if err := l.conn.PingContext(ctx); err == nil {
			l.checked = time.Now()
			return true
		}
		l.release()
	}
	conn, err := l.db.DB.DB.Conn(ctx)
	if err != nil {
		return false
	}
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", l.key).Scan(&got); err != nil || !got {
		_ = conn.Close()
		return false
	}
	l.conn, l.checked = conn, time.Now()
	return true
}

func (l *leaderLock) release() {
	if l.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _ = l.conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", l.key)
	_ = l.conn.Close()
	l.conn = nil
}
