package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// TokenPair is what a sign-in answers. RefreshToken is empty for an API
// token exchange.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int
	// DeviceToken is set by a password sign-in (device.go).
	DeviceToken string
}

// signAccessToken issues a short-lived EdDSA JWT for u limited to scopes.
// session is the refresh token family of a sign-in (the sid claim), which
// identity checks on every request it serves so that ending a session ends
// its access tokens here at once; empty for an API token exchange.
func (s *Service) signAccessToken(ctx context.Context, u User, scopes []string, session string) (string, error) {
	snap, err := s.keys.current(ctx, false)
	if err != nil {
		return "", err
	}
	now := s.now()
	b := jwt.NewBuilder().
		Issuer(auth.Issuer).Audience([]string{auth.Audience}).Subject(u.ID).
		IssuedAt(now).Expiration(now.Add(s.cfg.AccessTokenTTL)).JwtID(uuid.Must(uuid.NewV7()).String()).
		Claim("roles", u.Roles).Claim("scope", strings.Join(scopes, " ")).
		Claim("uv", u.Version)
	if session != "" {
		b = b.Claim("sid", session)
	}
	tok, err := b.Build()
	if err != nil {
		return "", fmt.Errorf("build access token: %w", err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA(), snap.signing))
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return string(signed), nil
}

// randomString returns n random bytes as base64url: the one way identity
// makes secrets, CSRF tokens and generated passwords.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// newSecret returns 32 random bytes, base64url, and their SHA-256 (hex),
// which is all the database ever sees.
func newSecret() (secret, hash string, err error) {
	if secret, err = randomString(32); err != nil {
		return "", "", err
	}
	return secret, hashSecret(secret), nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newRefreshRow returns a fresh refresh token in family and its row.
func (s *Service) newRefreshRow(userID, family string) (string, refreshRow, error) {
	secret, hash, err := newSecret()
	if err != nil {
		return "", refreshRow{}, err
	}
	now := ts(s.now())
	return secret, refreshRow{TokenHash: hash, FamilyID: family, UserID: userID,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.RefreshTokenTTL)}, nil
}

// startSession issues an access token and the first refresh token of a new
// family for u; secondFactor says the sign-in passed one.
func (s *Service) startSession(ctx context.Context, u User, secondFactor bool) (TokenPair, error) {
	family := uuid.Must(uuid.NewV7()).String()
	u = s.sessionUser(u, secondFactor)
	access, err := s.signAccessToken(ctx, u, u.SessionScopes(), family)
	if err != nil {
		return TokenPair{}, err
	}
	refresh, row, err := s.newRefreshRow(u.ID, family)
	if err != nil {
		return TokenPair{}, err
	}
	now := s.now()
	meta := sessionRow{ID: family, UserID: u.ID, Device: deviceOf(ctx), Address: s.clientAddr(ctx), Method: methodOf(ctx),
		SecondFactor: secondFactor, CreatedAt: now, LastUsedAt: now}
	if err := s.store.insertSession(ctx, meta, row); err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: s.expiresIn()}, nil
}

func (s *Service) expiresIn() int { return int(s.cfg.AccessTokenTTL / time.Second) }
