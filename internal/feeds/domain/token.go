package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// FeedToken is a subscriber's private feed token: the secret itself is
// shown once, when made, and only its hash is kept.
type FeedToken struct {
	ID         string
	UserID     string
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// FeedTokenPrefix starts every private feed secret, so that one pasted in
// the wrong place is recognised.
const FeedTokenPrefix = "alxf_"

// MaxFeedTokens is how many private feed tokens one user may keep.
const MaxFeedTokens = 50

// LastUseGranularity is how stale a token's recorded last use may get: a
// use is written only when the stored one is older, so a busy podcast app
// costs one write in this period, not one per request.
const LastUseGranularity = 10 * time.Minute

// NewFeedSecret returns a fresh secret (256 random bits).
func NewFeedSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return FeedTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashFeedSecret is what the store keeps of a secret and looks it up by.
// The secret has 256 bits of entropy, so a plain SHA-256 suffices.
func HashFeedSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// WellFormedFeedSecret reports whether s could be a secret NewFeedSecret
// made, before any lookup.
func WellFormedFeedSecret(s string) bool {
	rest, ok := strings.CutPrefix(s, FeedTokenPrefix)
	if !ok || len(rest) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}

// NeedsLastUse reports whether a use at now should be recorded.
func (t FeedToken) NeedsLastUse(now time.Time) bool {
	return t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= LastUseGranularity
}
