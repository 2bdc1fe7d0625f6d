// Package clock holds the one rule every store applies to time.
package clock

import "time"

// Stamp is t as every store keeps it: UTC, at microsecond precision (what
// PostgreSQL keeps), so that a time read back compares equal to the time
// that was written, on SQLite and on PostgreSQL alike.
func Stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
