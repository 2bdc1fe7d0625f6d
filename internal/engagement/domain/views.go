package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"time"
)

// The counting rules of views, plays and reads.
const (
	// MinPlaySeconds of audio or video make a play.
	MinPlaySeconds = 10
	// MinReadSeconds of reading make a read.
	MinReadSeconds = 30
)

// Sighting is what a client reports having seen of an item.
type Sighting struct {
	SecondsPlayed float64
	SecondsRead   float64
	PagesRead     int
}

// Counts reports whether a sighting is long enough to be a view.
func (s Sighting) Counts() bool {
	return s.SecondsPlayed >= MinPlaySeconds || s.SecondsRead >= MinReadSeconds
}

// crawlers matches the user agents of known robots; they never count.
var crawlers = regexp.MustCompile(`(?i)(bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|` +
	`embedly|quora link preview|whatsapp|headlesschrome|lighthouse|python-requests|go-http-client|curl/|wget/|` +
	`scrapy|httpclient|feedfetcher|mediapartners|bingpreview|yandex|baiduspider|duckduckbot|applebot|petalbot|semrush|ahrefs)`)

// IsCrawler reports a known robot's user agent (an empty one counts as a
// robot: browsers and apps always send one).
func IsCrawler(userAgent string) bool { return userAgent == "" || crawlers.MatchString(userAgent) }

// UserViewer names a signed-in viewer.
func UserViewer(userID string) string { return "u:" + userID }

// AnonymousViewer names an anonymous viewer by a keyed hash of their address
// and agent; salt is the day's secret, so the same person is a different
// viewer tomorrow and the raw values cannot be recovered.
func AnonymousViewer(salt []byte, address, userAgent string) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(address))
	m.Write([]byte{0})
	m.Write([]byte(userAgent))
	return "a:" + hex.EncodeToString(m.Sum(nil)[:16])
}

// Hour is the counting window a view falls in (hours since the epoch).
func Hour(t time.Time) int64 { return t.Unix() / 3600 }

// SaltDay is the day whose salt hashes anonymous viewers at t (UTC).
func SaltDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }
