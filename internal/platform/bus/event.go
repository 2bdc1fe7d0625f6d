package bus

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Event is the envelope every event travels in: CloudEvents 1.0 attributes,
// W3C trace context and correlation/causation IDs, carried in message
// metadata on every transport; Data is the JSON payload.
type Event struct {
	ID      string    // CloudEvents id; also the Watermill message UUID
	Type    string    // e.g. catalog.media.published.v1
	Source  string    // e.g. /alexandria/catalog
	Subject string    // the aggregate, e.g. media/0190…
	Time    time.Time // when the change committed (UTC)
	// Key orders events: transports that can keep order keep it per key
	// (the aggregate ID).
	Key           string
	Data          json.RawMessage
	TraceParent   string
	TraceState    string
	CorrelationID string
	CausationID   string
}

// Metadata keys. CloudEvents attributes use the ce_ prefix of the
// CloudEvents Kafka/AMQP bindings.
const (
	MetaID            = "ce_id"
	MetaType          = "ce_type"
	MetaSource        = "ce_source"
	MetaSubject       = "ce_subject"
	MetaTime          = "ce_time"
	MetaSpecVersion   = "ce_specversion"
	MetaContentType   = "content-type"
	MetaTraceParent   = "traceparent"
	MetaTraceState    = "tracestate"
	MetaCorrelationID = "correlation_id"
	MetaCausationID   = "causation_id"
	MetaKey           = "partition_key"
)

// Message encodes e as a Watermill message.
func (e Event) Message() *message.Message {
	m := message.NewMessage(e.ID, message.Payload(e.Data))
	md := map[string]string{
		MetaID: e.ID, MetaType: e.Type, MetaSource: e.Source, MetaSubject: e.Subject,
		MetaTime: e.Time.UTC().Format(time.RFC3339Nano), MetaSpecVersion: "1.0",
		MetaContentType: "application/json", MetaKey: e.Key,
		MetaTraceParent: e.TraceParent, MetaTraceState: e.TraceState,
		MetaCorrelationID: e.CorrelationID, MetaCausationID: e.CausationID,
	}
	for k, v := range md {
		if v != "" {
			m.Metadata.Set(k, v)
		}
	}
	return m
}

// FromMessage decodes a message made by Event.Message.
func FromMessage(m *message.Message) (Event, error) {
	e := Event{
		ID: m.Metadata.Get(MetaID), Type: m.Metadata.Get(MetaType), Source: m.Metadata.Get(MetaSource),
		Subject: m.Metadata.Get(MetaSubject), Key: m.Metadata.Get(MetaKey), Data: json.RawMessage(m.Payload),
		TraceParent: m.Metadata.Get(MetaTraceParent), TraceState: m.Metadata.Get(MetaTraceState),
		CorrelationID: m.Metadata.Get(MetaCorrelationID), CausationID: m.Metadata.Get(MetaCausationID),
	}
	if e.ID == "" {
		e.ID = m.UUID
	}
	if e.ID == "" || e.Type == "" {
		return e, fmt.Errorf("message %s is not an Alexandria event (no %s/%s)", m.UUID, MetaID, MetaType)
	}
	if t := m.Metadata.Get(MetaTime); t != "" {
		parsed, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return e, fmt.Errorf("message %s: bad %s %q", m.UUID, MetaTime, t)
		}
		e.Time = parsed
	}
	return e, nil
}
