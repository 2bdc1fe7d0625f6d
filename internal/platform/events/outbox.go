package events

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/propagation"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

// outboxRow is one event waiting for the relay.
type outboxRow struct {
	bun.BaseModel `bun:"table:outbox"`
	ID            int64     `bun:"id,pk,autoincrement"`
	EventID       string    `bun:"event_id"`
	Topic         string    `bun:"topic"`
	Type          string    `bun:"type"`
	Metadata      string    `bun:"metadata"`
	Payload       []byte    `bun:"payload"`
	CreatedAt     time.Time `bun:"created_at"`
}

// Record writes an event into the outbox through idb, which must be the
// transaction that makes the change the event describes: the event exists
// if and only if the change commits. typ is the event type
// (catalog.media.published.v1), subject the aggregate ("media/<id>"), key
// the ordering key (the aggregate ID), data the payload (the whole entity).
//
// Write the aggregate's row before recording its event, so that two
// transactions changing one aggregate (serialised by its row lock) record
// their events in commit order.
func (p *Pipeline) Record(ctx context.Context, idb bun.IDB, typ, subject, key string, data any) error {
	payload, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("event %s: %w", typ, err)
	}
	e := bus.Event{
		ID: uuid.Must(uuid.NewV7()).String(), Type: typ, Source: p.source, Subject: subject,
		Time: time.Now().UTC(), Key: key, Data: payload,
	}
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	e.TraceParent, e.TraceState = carrier.Get("traceparent"), carrier.Get("tracestate")
	if cause, ok := causeOf(ctx); ok {
		e.CorrelationID, e.CausationID = cause.CorrelationID, cause.ID
	} else {
		e.CorrelationID = telemetry.RequestID(ctx)
	}
	if e.CorrelationID == "" {
		e.CorrelationID = e.ID
	}
	msg := e.Message()
	meta, err := json.Marshal(msg.Metadata)
	if err != nil {
		return err
	}
	row := outboxRow{EventID: e.ID, Topic: p.topic, Type: typ, Metadata: string(meta), Payload: payload, CreatedAt: e.Time}
	if _, err := idb.NewInsert().Model(&row).ExcludeColumn("id").Exec(ctx); err != nil {
		return fmt.Errorf("record %s: %w", typ, err)
	}
	// Wake the relay; it finds the row once the transaction commits.
	p.relay.notify()
	return nil
}
