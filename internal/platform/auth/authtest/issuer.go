// Package authtest mints access tokens for tests of services other than
// identity, with keys that live only in the test.
package authtest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// Issuer signs tokens the way identity does and serves as a KeySource.
type Issuer struct {
	t      testing.TB
	key    jwk.Key
	public jwk.Set
}

// NewIssuer creates a fresh signing key.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.Import(priv)
	if err != nil {
		t.Fatal(err)
	}
	_ = key.Set(jwk.KeyIDKey, "test-"+uuid.NewString()[:8])
	_ = key.Set(jwk.AlgorithmKey, jwa.EdDSA())
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	return &Issuer{t: t, key: key, public: set}
}

// Keys implements auth.KeySource.
func (i *Issuer) Keys(context.Context, bool) (jwk.Set, error) { return i.public, nil }

// Verifier returns a verifier that trusts this issuer.
func (i *Issuer) Verifier() *auth.Verifier { return auth.NewVerifier(i) }

// Token returns a full-power access token for userID with roles.
func (i *Issuer) Token(userID string, roles ...string) string {
	return i.TokenWithScopes(userID, auth.AllScopes, roles...)
}

// TokenWithScopes returns an access token limited to scopes.
func (i *Issuer) TokenWithScopes(userID string, scopes []string, roles ...string) string {
	i.t.Helper()
	return i.sign(userID, scopes, nil, roles...)
}

// SessionToken returns a full-power access token of a sign-in session
// (the sid claim) issued at account version (the uv claim).
func (i *Issuer) SessionToken(userID, session string, version int64, roles ...string) string {
	i.t.Helper()
	return i.sign(userID, auth.AllScopes, map[string]any{"sid": session, "uv": version}, roles...)
}

func (i *Issuer) sign(userID string, scopes []string, extra map[string]any, roles ...string) string {
	i.t.Helper()
	if len(roles) == 0 {
		roles = []string{auth.RoleReader}
	}
	now := time.Now()
	b := jwt.NewBuilder().
		Issuer(auth.Issuer).Audience([]string{auth.Audience}).Subject(userID).
		IssuedAt(now).Expiration(now.Add(5*time.Minute)).JwtID(uuid.NewString()).
		Claim("roles", roles).Claim("scope", strings.Join(scopes, " "))
	for k, v := range extra {
		b = b.Claim(k, v)
	}
	tok, err := b.Build()
	if err != nil {
		i.t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA(), i.key))
	if err != nil {
		i.t.Fatal(err)
	}
	return string(signed)
}
