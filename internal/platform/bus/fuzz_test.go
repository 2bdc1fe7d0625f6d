package bus

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// FuzzEnvelope: an event survives its trip through a message (what every
// transport carries), and a message with arbitrary metadata from the bus
// decodes to an event with an ID and a type, or is refused with an error
// (the consumer parks it), never a panic.
func FuzzEnvelope(f *testing.F) {
	f.Add("0190-e", "catalog.media.published.v1", "/alexandria/catalog", "media/1", "k", "2026-01-02T03:04:05.123456789Z",
		"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", []byte(`{"media_id":"1"}`))
	f.Add("", "", "", "", "", "", "", []byte{})
	f.Add("id", "t", "", "", "", "yesterday", "garbage", []byte("not json"))
	f.Add("id", "t", "", "", "", "2026-13-45T99:99:99Z", "", []byte(`null`))
	f.Fuzz(func(t *testing.T, id, typ, source, subject, key, ts, traceparent string, data []byte) {
		// Arbitrary metadata, as a foreign or damaged message would bring.
		m := message.NewMessage(id, data)
		for k, v := range map[string]string{MetaID: id, MetaType: typ, MetaSource: source, MetaSubject: subject,
			MetaKey: key, MetaTime: ts, MetaTraceParent: traceparent} {
			if v != "" {
				m.Metadata.Set(k, v)
			}
		}
		e, err := FromMessage(m)
		if err == nil && (e.ID == "" || e.Type == "") {
			t.Fatalf("accepted an event without ID or type: %+v", e)
		}
		if err == nil && ts != "" && e.Time.IsZero() {
			t.Fatalf("time %q accepted as zero", ts)
		}
		// Round trip of an event we publish.
		if id == "" || typ == "" {
			return
		}
		when := time.Unix(int64(len(data))*7919, int64(len(key))).UTC()
		want := Event{ID: id, Type: typ, Source: source, Subject: subject, Key: key, Time: when,
			Data: json.RawMessage(data), TraceParent: traceparent}
		got, err := FromMessage(want.Message())
		if err != nil {
			t.Fatalf("round trip of %+v: %v", want, err)
		}
		if got.ID != want.ID || got.Type != want.Type || got.Source != want.Source || got.Subject != want.Subject ||
			got.Key != want.Key || !got.Time.Equal(want.Time) || string(got.Data) != string(want.Data) ||
			got.TraceParent != want.TraceParent {
			t.Fatalf("round trip: %+v became %+v", want, got)
		}
	})
}
