package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Handler applies one event inside tx, the consumer's transaction. It must
// make every change through tx: the transaction also records the event as
// handled, and the event is acknowledged only after it commits. Events the
// handler records (Record with tx) carry this event as their cause. A
// service's consumers are made with Bind, so that they see the service's
// repository bound to tx rather than tx itself.
type Handler func(ctx context.Context, tx bun.Tx, e bus.Event) error

// Handle registers h for events of type typ on topic. Call before Start.
func (p *Pipeline) Handle(topic, typ string, h Handler) {
	if p.handlers[topic] == nil {
		p.handlers[topic] = map[string]Handler{}
	}
	p.handlers[topic][typ] = h
}

// consume handles a subscription's messages one at a time, which keeps the
// order the transport delivers them in.
func (p *Pipeline) consume(ctx context.Context, topic string, msgs <-chan *message.Message) {
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-msgs:
			if !ok {
				return
			}
			p.deliver(ctx, topic, msg)
		}
	}
}

// deliver runs one message to completion: handled, a duplicate, parked as a
// dead letter, or — when the process is stopping — nacked for redelivery.
func (p *Pipeline) deliver(ctx context.Context, topic string, msg *message.Message) {
	group := p.setup.Service
	e, err := bus.FromMessage(msg)
	if err != nil {
		// Not ours or mangled: no retry can help.
		p.park(ctx, topic, e, msg, err, 1)
		return
	}
	h := p.handlers[topic][e.Type]
	if to := msg.Metadata.Get(MetaReplayFor); to != "" && to != group {
		h = nil // a replay meant for another group
	}
	if h == nil {
		p.m.handled.WithLabelValues(group, e.Type, "ignored").Inc()
		msg.Ack()
		return
	}
	if !e.Time.IsZero() {
		p.m.lag.WithLabelValues(group, topic).Observe(time.Since(e.Time).Seconds())
	}
	cfg := p.setup.Config
	wait := cfg.RetryInitial
	for attempt := 1; ; attempt++ {
		dup, err := p.attempt(ctx, e, h, attempt)
		switch {
		case err == nil:
			result := "ok"
			if dup {
				result = "duplicate"
			}
			p.m.handled.WithLabelValues(group, e.Type, result).Inc()
			msg.Ack()
			return
		case ctx.Err() != nil:
			msg.Nack()
			return
		case attempt >= cfg.MaxAttempts:
			p.park(ctx, topic, e, msg, err, attempt)
			return
		}
		p.m.handled.WithLabelValues(group, e.Type, "retry").Inc()
		p.log.WarnContext(ctx, "event handler failed; retrying", slog.String("type", e.Type), slog.String("event_id", e.ID),
			slog.Int("attempt", attempt), slog.Duration("in", wait), slog.Any("error", err))
		if sleep(ctx, wait, nil); ctx.Err() != nil {
			msg.Nack()
			return
		}
		wait = min(2*wait, cfg.RetryMax)
	}
}

// attempt runs h once in a transaction that first claims the event ID in the
// inbox; dup reports an event this consumer group had already handled.
func (p *Pipeline) attempt(ctx context.Context, e bus.Event, h Handler, n int) (dup bool, err error) {
	ctx, span := p.startSpan(ctx, e, n)
	defer func() {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}()
	start := time.Now()
	defer func() {
		p.m.handleLatency.WithLabelValues(p.setup.Service, e.Type).Observe(time.Since(start).Seconds())
	}()
	ctx = withCause(ctx, e)
	ctx, after := withAfterCommit(ctx)
	err = p.setup.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewRaw("INSERT INTO inbox (consumer, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			p.setup.Service, e.ID, time.Now().UTC()).Exec(ctx)
		if err != nil {
			return fmt.Errorf("inbox: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			dup = true
			return err
		}
		return h(ctx, tx, e)
	})
	if err == nil && !dup {
		after.run()
	}
	return dup, err
}

// startSpan continues the producer's trace: the consumer span is a child of
// the span that recorded the event.
func (p *Pipeline) startSpan(ctx context.Context, e bus.Event, attempt int) (context.Context, trace.Span) {
	carrier := propagation.MapCarrier{"traceparent": e.TraceParent, "tracestate": e.TraceState}
	ctx = propagation.TraceContext{}.Extract(ctx, carrier)
	producer := trace.SpanContextFromContext(ctx)
	opts := []trace.SpanStartOption{
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.operation.type", "process"),
			attribute.String("messaging.consumer.group.name", p.setup.Service),
			attribute.String("messaging.message.id", e.ID),
			attribute.String("cloudevents.event_type", e.Type),
			attribute.Int("alexandria.attempt", attempt),
		),
	}
	if producer.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: producer}))
	}
	return p.tracer.Start(ctx, "process "+e.Type, opts...)
}

// park stores the event as a dead letter and acknowledges it; if even that
// fails, the message is nacked so it is not lost.
func (p *Pipeline) park(ctx context.Context, topic string, e bus.Event, msg *message.Message, cause error, attempts int) {
	meta, _ := json.Marshal(msg.Metadata)
	dl := deadLetter{
		ID: uuid.Must(uuid.NewV7()).String(), Consumer: p.setup.Service, Topic: topic,
		EventID: e.ID, Type: e.Type, Metadata: string(meta), Payload: msg.Payload,
		Error: truncate(cause.Error(), 2000), Attempts: attempts, FailedAt: time.Now().UTC(),
	}
	if dl.EventID == "" {
		dl.EventID = msg.UUID
	}
	// A crash between parking and acking redelivers the event; it is
	// parked once.
	if _, err := p.setup.DB.NewInsert().Model(&dl).On("CONFLICT (consumer, event_id) DO NOTHING").
		Exec(context.WithoutCancel(ctx)); err != nil {
		p.log.ErrorContext(ctx, "cannot store dead letter; leaving the event for redelivery", slog.Any("error", errors.Join(cause, err)))
		msg.Nack()
		return
	}
	p.m.handled.WithLabelValues(p.setup.Service, e.Type, "dead_letter").Inc()
	p.m.deadLetters.WithLabelValues(p.setup.Service).Inc()
	p.log.ErrorContext(ctx, "event parked as a dead letter", slog.String("type", e.Type), slog.String("event_id", dl.EventID),
		slog.Int("attempts", attempts), slog.Any("error", cause))
	msg.Ack()
}

// housekeeping forgets handled event IDs older than the inbox TTL and keeps
// the dead-letter gauge true.
func (p *Pipeline) housekeeping(ctx context.Context) {
	for {
		cutoff := time.Now().Add(-p.setup.Config.InboxTTL).UTC()
		if _, err := p.setup.DB.NewDelete().TableExpr("inbox").Where("processed_at < ?", cutoff).Exec(ctx); err != nil && ctx.Err() == nil {
			p.log.WarnContext(ctx, "pruning inbox failed", slog.Any("error", err))
		}
		if n, err := p.setup.DB.NewSelect().TableExpr("dead_letters").Where("consumer = ?", p.setup.Service).Count(ctx); err == nil {
			p.m.deadLetters.WithLabelValues(p.setup.Service).Set(float64(n))
		}
		if sleep(ctx, 10*time.Minute, nil); ctx.Err() != nil {
			return
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
