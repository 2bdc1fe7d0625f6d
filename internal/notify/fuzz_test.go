package notify

import (
	"errors"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// FuzzUnsubscribeToken feeds the one-click unsubscribe link's token
// arbitrary strings: only a token signed with the service's key, for a
// valid user and a known type, is accepted; everything else is an Invalid
// error on query.token. Tokens the service signs round-trip.
func FuzzUnsubscribeToken(f *testing.F) {
	s := &Service{unsubKey: []byte("fuzz-unsubscribe-key-0123456789")}
	user := "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	for _, typ := range domain.Types {
		f.Add(s.unsubscribeToken(user, typ), user, typ)
	}
	f.Add("", "", "")
	f.Add("a.b", "not-a-user", "comment")
	f.Add("....", user, "..")
	other := &Service{unsubKey: []byte("another key")}
	f.Add(other.unsubscribeToken(user, domain.Types[0]), user, domain.Types[0])
	f.Fuzz(func(t *testing.T, token, userID, typ string) {
		u, ty, err := s.parseUnsubscribeToken(token)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != "query.token" {
				t.Fatalf("token %q: %v is not an Invalid error on query.token", token, err)
			}
		} else if !domain.ValidID(u) || domain.CheckPreference(domain.Preference{Type: ty, Channel: domain.ChannelEmail}) != nil {
			t.Fatalf("token %q accepted for user %q type %q", token, u, ty)
		} else if s.unsubscribeToken(u, ty) != token {
			// Base64 without padding has one spelling per payload: an
			// accepted token is exactly the one the service made.
			t.Fatalf("token %q accepted but the service signs %q", token, s.unsubscribeToken(u, ty))
		}
		tok := s.unsubscribeToken(userID, typ)
		u, ty, err = s.parseUnsubscribeToken(tok)
		valid := domain.ValidID(userID) && domain.CheckPreference(domain.Preference{Type: typ, Channel: domain.ChannelEmail}) == nil
		if valid && (err != nil || u != userID || ty != typ) {
			t.Fatalf("round trip of (%q, %q): (%q, %q), %v", userID, typ, u, ty, err)
		}
		if !valid && err == nil {
			t.Fatalf("signed token for invalid (%q, %q) accepted", userID, typ)
		}
		if _, _, err := other.parseUnsubscribeToken(tok); err == nil {
			t.Fatalf("a token signed with another key was accepted")
		}
	})
}
