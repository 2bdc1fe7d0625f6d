package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("event %s: %w", typ, err)
	}
	e := bus.Event{
		ID: id.String(), Type: typ, Source: p.source, Subject: subject,
		Time: time.Now().UTC(), Key: key, Data: payload,
	}
	var tc traceCarrier
	propagation.TraceContext{}.Inject(ctx, &tc)
	e.TraceParent, e.TraceState = tc.parent, tc.state
	if cause, ok := causeOf(ctx); ok {
		e.CorrelationID, e.CausationID = cause.CorrelationID, cause.ID
	} else {
		e.CorrelationID = telemetry.RequestID(ctx)
	}
	if e.CorrelationID == "" {
		e.CorrelationID = e.ID
	}
	buf := metaBuffers.Get().(*[]byte)
	meta := appendMeta((*buf)[:0], &e)
	err = p.insertOutbox(ctx, idb, e, typ, meta, payload)
	*buf = meta[:0]
	metaBuffers.Put(buf)
	if err != nil {
		return fmt.Errorf("record %s: %w", typ, err)
	}
	// Wake the relay; it finds the row once the transaction commits.
	p.relay.notify()
	return nil
}

// traceCarrier takes the W3C trace context of a Record without the map a
// propagation.MapCarrier would allocate.
type traceCarrier struct{ parent, state string }

func (c *traceCarrier) Get(k string) string {
	switch k {
	case "traceparent":
		return c.parent
	case "tracestate":
		return c.state
	}
	return ""
}

func (c *traceCarrier) Set(k, v string) {
	switch k {
	case "traceparent":
		c.parent = v
	case "tracestate":
		c.state = v
	}
}

func (c *traceCarrier) Keys() []string { return []string{"traceparent", "tracestate"} }

// metaBuffers are the buffers Record encodes metadata into; the insert
// copies the bytes, so a buffer goes back to the pool after it.
var metaBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// appendMeta appends the message metadata of bus.Event.Message as a JSON
// object, the way the relay reads it back (a map of strings). It is written
// by hand instead of with encoding/json: recording an event is on every
// write's path, and reflection over a struct of twelve strings cost more
// than the rest of the encoding. Empty optional fields are left out, as in
// bus.Event.Message.
func appendMeta(b []byte, e *bus.Event) []byte {
	b = append(b, '{')
	b = appendField(b, bus.MetaID, e.ID, true)
	b = appendField(b, bus.MetaType, e.Type, false)
	b = appendField(b, bus.MetaSource, e.Source, false)
	b = appendField(b, bus.MetaSubject, e.Subject, false)
	b = append(b, `,"`+bus.MetaTime+`":"`...)
	b = e.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","`+bus.MetaSpecVersion+`":"1.0","`+bus.MetaContentType+`":"application/json"`...)
	b = appendField(b, bus.MetaKey, e.Key, false)
	b = appendField(b, bus.MetaTraceParent, e.TraceParent, false)
	b = appendField(b, bus.MetaTraceState, e.TraceState, false)
	b = appendField(b, bus.MetaCorrelationID, e.CorrelationID, false)
	b = appendField(b, bus.MetaCausationID, e.CausationID, false)
	return append(b, '}')
}

// appendField appends "name":"value" (preceded by a comma unless first);
// an empty value is left out. Names are plain ASCII constants.
func appendField(b []byte, name, value string, first bool) []byte {
	if value == "" {
		return b
	}
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD (as
// encoding/json does).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
