package search

import (
	"errors"
	"math"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzSearchPageToken feeds search's signed page tokens arbitrary strings:
// a token is accepted only when this server signed it for this search (its
// fingerprint); any other is the 400 naming page_token. Tokens the server
// makes round-trip.
func FuzzSearchPageToken(f *testing.F) {
	a := &app{tokenKey: []byte("0123456789abcdef0123456789abcdef")}
	fp := fingerprintOf("odyssey")
	f.Add(a.encodeToken(Cursor{Score: 1.5, ID: "0190"}, fp), "0190", 1.5, int64(3), int64(0))
	f.Add(a.encodeToken(Cursor{Time: time.Unix(1700000000, 0).UTC(), ID: "x"}, fp), "x", 0.0, int64(0), int64(1700000000))
	f.Add("", "", 0.0, int64(0), int64(0))
	f.Add("e30.AAAA", "", 0.0, int64(0), int64(0))
	f.Add("...", "a", -1.0, int64(-1), int64(-1))
	other := &app{tokenKey: []byte("another key")}
	f.Fuzz(func(t *testing.T, token, id string, score float64, pop, unix int64) {
		c, err := a.decodeToken(token, fp)
		if err != nil {
			var b *badRequest
			if !errors.As(err, &b) || !errors.Is(err, errBadToken) {
				t.Fatalf("token %q: %v is not the page_token refusal", token, err)
			}
		} else if a.encodeToken(c, fp) == "" {
			t.Fatalf("token %q accepted as %+v", token, c)
		}
		// A token for another search, or signed with another key, is refused.
		if _, err := a.decodeToken(token, fingerprintOf("another search")); err == nil {
			t.Fatalf("token %q accepted for two searches", token)
		}
		if _, err := other.decodeToken(token, fp); err == nil && token != "" {
			t.Fatalf("token %q accepted under two keys", token)
		}
		want := Cursor{Score: score, Pop: pop, ID: id, Time: time.Unix(unix%(1<<34), 0).UTC()}
		tok := a.encodeToken(want, fp)
		got, err := a.decodeToken(tok, fp)
		if len(tok) > 1024 {
			if err == nil {
				t.Fatalf("accepted a token of %d bytes", len(tok))
			}
			return
		}
		// NaN and infinities do not marshal; encodeToken then signs an
		// empty body, which must not decode.
		if math.IsNaN(score) || math.IsInf(score, 0) {
			return
		}
		if err != nil || got.Score != want.Score || got.Pop != want.Pop || !got.Time.Equal(want.Time) ||
			(got.ID != want.ID && utf8.ValidString(want.ID)) {
			t.Fatalf("round trip of %+v: %+v, %v", want, got, err)
		}
	})
}
