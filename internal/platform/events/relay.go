package events

import (
	"context"
	"encoding/json"
	"errors"
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
	// lockKey is the advisory lock of the service's schema (PostgreSQL).
	lockKey int64
	// fastPoll is how often the relay looks again shortly after activity,
	// so an event recorded just before its transaction commits is not left
	// waiting for the idle poll.
	fastPoll time.Duration
}

func newRelay(p *Pipeline) *relay {
	h := fnv.New64a()
	_, _ = h.Write([]byte("alexandria-outbox:" + p.setup.DB.Schema))
	return &relay{p: p, wake: make(chan struct{}, 1), fastPoll: 5 * time.Millisecond, lockKey: int64(h.Sum64() >> 1)}
}

func (r *relay) notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *relay) run(ctx context.Context) {
	cfg := r.p.setup.Config
	if gate := r.p.setup.RelayGate; gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return
		}
	}
	const firstLook = 250 * time.Microsecond
	var backoff time.Duration
	quick := firstLook
	var busyUntil, nextStats time.Time
	for ctx.Err() == nil {
		if time.Now().After(nextStats) {
			r.updateStats(ctx)
			nextStats = time.Now().Add(5 * time.Second)
		}
		n, err := r.flush(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.p.m.publishErrors.WithLabelValues(r.p.setup.Service).Inc()
			backoff = min(max(2*backoff, 100*time.Millisecond), 30*time.Second)
			r.p.log.WarnContext(ctx, "publishing outbox failed; retrying", slog.Duration("in", backoff), slog.Any("error", err))
			sleep(ctx, backoff, nil)
			continue
		}
		backoff = 0
		if n == cfg.RelayBatch {
			continue
		}
		if n > 0 {
			busyUntil = time.Now().Add(2 * time.Second)
			quick = firstLook
		}
		wait := cfg.RelayPoll
		if time.Now().Before(busyUntil) {
			// Record wakes the relay before its transaction commits; look
			// again soon, then less and less often, so the commit is seen
			// within about a millisecond without spinning.
			wait, quick = quick, min(2*quick, r.fastPoll)
		}
		if woke := sleep(ctx, wait, r.wake); woke {
			busyUntil = time.Now().Add(2 * time.Second)
			quick = firstLook
		}
	}
}

// flush publishes one batch and deletes what the broker accepted.
//
// On PostgreSQL the batch runs in a transaction that first takes a
// transaction-scoped advisory lock for the service's schema: of several
// replicas only one relays a batch at a time, the lock cannot outlive its
// transaction (no stale leader after a lost session), and it works behind
// a transaction-mode pooler. A replica that does not get the lock stands by
// until its next poll. SQLite has one process per file: it just relays.
func (r *relay) flush(ctx context.Context) (int, error) {
	d := r.p.setup.DB
	if d.Dialect != db.Postgres {
		n, pubErr, err := r.publishBatch(ctx, d.DB)
		return n, errors.Join(pubErr, err)
	}
	var n int
	var pubErr error
	err := d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var got bool
		if err := tx.NewRaw("SELECT pg_try_advisory_xact_lock(?)", r.lockKey).Scan(ctx, &got); err != nil {
			return err
		}
		if !got {
			return nil
		}
		var err error
		n, pubErr, err = r.publishBatch(ctx, tx)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, pubErr
}

// publishBatch publishes the oldest rows in order and deletes those the
// broker accepted; pubErr is the publish failure that stopped it, if any.
func (r *relay) publishBatch(ctx context.Context, idb bun.IDB) (n int, pubErr, err error) {
	var rows []outboxRow
	if err := idb.NewSelect().Model(&rows).Order("id").Limit(int64(r.p.setup.Config.RelayBatch)).Scan(ctx); err != nil {
		return 0, nil, err
	}
	if len(rows) == 0 {
		return 0, nil, nil
	}
	var done []int64
	pub := r.p.setup.Bus.Publisher()
	for i := 0; i < len(rows) && pubErr == nil; {
		// Consecutive rows for one topic go in one Publish call, in order.
		j := i
		msgs := []*message.Message{}
		for ; j < len(rows) && rows[j].Topic == rows[i].Topic; j++ {
			msg := message.NewMessage(rows[j].EventID, rows[j].Payload)
			if err := json.Unmarshal([]byte(rows[j].Metadata), &msg.Metadata); err != nil {
				r.p.log.ErrorContext(ctx, "outbox row has unreadable metadata; publishing without it", slog.Int64("id", rows[j].ID), slog.Any("error", err))
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
		if _, err := idb.NewDelete().TableExpr("outbox").Where("id IN (?)", bun.List(done)).Exec(ctx); err != nil {
			return 0, pubErr, err
		}
	}
	return len(done), pubErr, nil
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
