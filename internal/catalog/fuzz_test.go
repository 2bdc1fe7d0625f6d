package catalog

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// FuzzPagePosition feeds catalog's keyset page tokens (media, authors,
// categories, members) arbitrary strings: a token decodes to a position
// whose values are safe in SQL for the order it was made for, or is an
// Invalid error on query.page_token. Tokens catalog makes round-trip.
func FuzzPagePosition(f *testing.F) {
	id := "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	f.Add(httpx.EncodePageToken(position{Order: "title", Key: "Odyssey", ID: id}), "title", "Odyssey", id)
	f.Add(httpx.EncodePageToken(position{Order: "newest", ID: id}), "newest", "", id)
	f.Add(httpx.EncodePageToken(position{Order: "title", Key: "a\x00b", ID: id}), "title", "\x00", id)
	f.Add(httpx.EncodePageToken(map[string]any{"o": 1, "i": []int{1}}), "name", "k", "not-an-id")
	f.Add("", "", "", "")
	f.Add("%%%", "title", "x", id)
	var specs []sortSpec
	for _, m := range []map[string]sortSpec{mediaOrders, authorOrders, categoryOrders} {
		for _, s := range m {
			specs = append(specs, s)
		}
	}
	f.Fuzz(func(t *testing.T, token, order, key, id string) {
		for _, spec := range specs {
			p, err := decodePosition(token, spec)
			switch {
			case err != nil:
				var e *errs.Error
				if !errors.As(err, &e) || e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != "query.page_token" {
					t.Fatalf("token %q: %v is not an Invalid error on query.page_token", token, err)
				}
			case p == nil:
				if token != "" {
					t.Fatalf("token %q decoded to no position", token)
				}
			default:
				if p.Order != spec.name || !domain.ValidID(p.ID) || !utf8.ValidString(p.Key) || strings.ContainsRune(p.Key, 0) ||
					(spec.column == "" && p.Key != "") {
					t.Fatalf("token %q for order %q decoded to an unsafe position %+v", token, spec.name, p)
				}
			}
			// A token catalog made for spec reads back as its position,
			// and only for spec.
			tok, kept := nextToken(spec, 2, 1, func(int) (string, string) { return key, id })
			if kept != 1 || tok == "" {
				t.Fatalf("nextToken kept %d, token %q", kept, tok)
			}
			back, err := decodePosition(tok, spec)
			valid := domain.ValidID(id) && utf8.ValidString(key) && !strings.ContainsRune(key, 0)
			if spec.column == "" {
				valid = domain.ValidID(id)
			}
			if valid && len(tok) <= 1024 {
				if err != nil || back.ID != id || (spec.column != "" && back.Key != key) {
					t.Fatalf("round trip for %q (%q, %q): %+v, %v", spec.name, key, id, back, err)
				}
			}
			if order != spec.name && err == nil {
				other := spec
				other.name = order
				if _, err := decodePosition(tok, other); err == nil {
					t.Fatalf("a token for order %q was accepted for order %q", spec.name, order)
				}
			}
		}
	})
}

// FuzzMediaEventPayload feeds the payload decoder of the events catalog
// consumes from storage and processing arbitrary bytes: a payload is either
// refused with an error (the pipeline parks it) or names a valid media ID
// and an object key.
func FuzzMediaEventPayload(f *testing.F) {
	id := "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	good, _ := json.Marshal(map[string]any{"media_id": id, "object_key": "media/" + id + "/original", "completed_at": time.Now()})
	f.Add(good)
	f.Add([]byte(`{"media_id":"x","object_key":""}`))
	f.Add([]byte(`{"media_id":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Add([]byte(`{"media_id":"` + id + `","object_key":"k","completed_at":"yesterday"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e := bus.Event{ID: "e1", Type: eventUploadCompleted, Data: data}
		var u uploadCompleted
		err := decodeMediaEvent(e, &u, func() string { return u.MediaID }, func() string { return u.ObjectKey })
		if err == nil && (!domain.ValidID(u.MediaID) || u.ObjectKey == "") {
			t.Fatalf("payload %q accepted without a media ID and object key: %+v", data, u)
		}
		if err != nil && !strings.Contains(err.Error(), e.ID) {
			t.Fatalf("error %q does not name the event", err)
		}
	})
}
