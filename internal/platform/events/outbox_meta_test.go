package events

import (
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// The hand-written metadata encoder must read back as what bus.Event.Message
// carries, whatever the strings hold.
func TestAppendMetaMatchesMessage(t *testing.T) {
	odd := []string{"", "plain", `quo"te`, `back\slash`, "line\nbreak\r\ttab", "ctl\x00\x01\x1f\x7f",
		"é ünïcödé 日本 🎧", "bad\xffutf8\xc3", "\u2028\u2029", "<html>&amp;"}
	for _, s := range odd {
		e := bus.Event{ID: "0190-id", Type: "x.y.z.v1", Source: "/alexandria/" + s, Subject: s,
			Time: time.Date(2026, 12, 2, 8, 30, 1, 123456789, time.FixedZone("x", 3600)), Key: s,
			TraceParent: s, TraceState: s, CorrelationID: s, CausationID: s}
		var got map[string]string
		raw := appendMeta(nil, &e)
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%q: %s does not decode: %v", s, raw, err)
		}
		// What the relay published before: the message's metadata through
		// encoding/json.
		enc, err := json.Marshal(map[string]string(e.Message().Metadata))
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]string
		if err := json.Unmarshal(enc, &want); err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("%q:\n got %v\nwant %v", s, got, want)
		}
	}
}

func BenchmarkAppendMeta(b *testing.B) {
	e := bus.Event{ID: "01932c5e-7d7a-7000-8000-0123456789ab", Type: "catalog.media.published.v1", Source: "/alexandria/catalog",
		Subject: "media/01932c5e-7d7a-7000-8000-0123456789ab", Time: time.Now(), Key: "01932c5e-7d7a-7000-8000-0123456789ab",
		CorrelationID: "01932c5e-7d7a-7000-8000-0123456789ab"}
	buf := make([]byte, 0, 512)
	for b.Loop() {
		buf = appendMeta(buf[:0], &e)
	}
}
