package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/propagation"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
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
	meta, err := json.Marshal(envelopeMeta(e))
	if err != nil {
		return err
	}
	if err := p.insertOutbox(ctx, idb, e, typ, meta, payload); err != nil {
		return fmt.Errorf("record %s: %w", typ, err)
	}
	// Wake the relay; it finds the row once the transaction commits.
	p.relay.notify()
	return nil
}

// outboxMeta is the message metadata of bus.Event.Message as a struct, which
// encoding/json writes without building and sorting a map: recording an
// event is on every write's path.
type outboxMeta struct {
	ID            string `json:"ce_id"`
	Type          string `json:"ce_type"`
	Source        string `json:"ce_source,omitempty"`
	Subject       string `json:"ce_subject,omitempty"`
	Time          string `json:"ce_time"`
	SpecVersion   string `json:"ce_specversion"`
	ContentType   string `json:"content-type"`
	Key           string `json:"partition_key,omitempty"`
	TraceParent   string `json:"traceparent,omitempty"`
	TraceState    string `json:"tracestate,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
	CausationID   string `json:"causation_id,omitempty"`
}

func envelopeMeta(e bus.Event) outboxMeta {
	return outboxMeta{
		ID: e.ID, Type: e.Type, Source: e.Source, Subject: e.Subject,
		Time: e.Time.UTC().Format(time.RFC3339Nano), SpecVersion: "1.0", ContentType: "application/json",
		Key: e.Key, TraceParent: e.TraceParent, TraceState: e.TraceState,
		CorrelationID: e.CorrelationID, CausationID: e.CausationID,
	}
}

// outboxInsert is the outbox INSERT, prepared once per pipeline; database/sql
// then keeps it prepared on each pooled connection, so a transaction that
// records an event does not parse and plan the statement again.
type outboxInsert struct {
	stmt *sql.Stmt // nil: the plain insert
}

// outboxInsertSQL is the SQLite outbox insert, prepared once per pipeline.
const outboxInsertSQL = "INSERT INTO outbox (event_id, topic, type, metadata, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)"

// prepareInsert prepares the SQLite outbox insert when the pipeline is made,
// outside any transaction. Preparing it lazily inside the first Record took
// a second connection from the pool while that transaction held SQLite's
// write lock: with every other connection waiting for that lock, the
// prepare waited for them and they for it until the busy timeout (a 500
// under simultaneous uploads). A failed prepare leaves the plain insert.
func (p *Pipeline) prepareInsert(ctx context.Context) {
	if p.setup.DB.Dialect != db.SQLite {
		return
	}
	st, err := p.setup.DB.DB.DB.PrepareContext(ctx, outboxInsertSQL)
	if err != nil {
		p.log.WarnContext(ctx, "events: outbox insert not prepared; using the plain insert", "error", err)
		return
	}
	p.insert.stmt = st
}

func (p *Pipeline) insertOutbox(ctx context.Context, idb bun.IDB, e bus.Event, typ string, meta, payload []byte) error {
	// SQLite only: pgx already keeps its statements prepared per connection,
	// and explicit ones would break behind a transaction-mode pooler.
	tx, ok := idb.(bun.Tx)
	if ok && p.insert.stmt != nil {
		st := tx.StmtContext(ctx, p.insert.stmt)
		defer func() { _ = st.Close() }()
		_, err := st.ExecContext(ctx, e.ID, p.topic, typ, string(meta), payload, e.Time.Format(sqliteTime))
		if err == nil || !strings.Contains(err.Error(), "different database") {
			return err
		}
		// A transaction of another pool: the plain query below.
	}
	row := outboxRow{EventID: e.ID, Topic: p.topic, Type: typ, Metadata: string(meta), Payload: payload, CreatedAt: e.Time}
	_, err := idb.NewInsert().Model(&row).ExcludeColumn("id").Exec(ctx)
	return err
}

// sqliteTime is how bun writes a UTC time into SQLite, so the relay reads
// rows from either path alike.
const sqliteTime = "2006-01-02 15:04:05.999999-07:00"

func (p *Pipeline) closeStatements() error {
	if p.insert.stmt != nil {
		return p.insert.stmt.Close()
	}
	return nil
}
