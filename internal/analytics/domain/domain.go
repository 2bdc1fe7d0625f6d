// Package domain holds analytics' rules: tumbling windows, the weighted
// engagement y, and Alexandria's trending formula Φ = ω + υ.
package domain

import (
	"fmt"
	"time"
)

// Window is a tumbling window length.
type Window string

// The windows trending is maintained in.
const (
	Hour Window = "hour"
	Day  Window = "day"
	Week Window = "week"
)

// Windows lists every window, shortest first.
var Windows = []Window{Hour, Day, Week}

// ParseWindow reads a window name.
func ParseWindow(s string) (Window, error) {
	switch Window(s) {
	case Hour, Day, Week:
		return Window(s), nil
	}
	return "", fmt.Errorf("must be hour, day or week")
}

// Seconds is the window's length.
func (w Window) Seconds() int64 {
	switch w {
	case Hour:
		return 3600
	case Day:
		return 86400
	default:
		return 7 * 86400
	}
}

// weekOffset moves Unix time's origin (a Thursday) to a Monday: weeks
// start on Monday 00:00 UTC (ISO 8601).
const weekOffset = 4 * 86400

// Start is the start (Unix seconds) of the window holding t.
func (w Window) Start(t time.Time) int64 {
	u := t.Unix()
	if w == Week {
		return floorDiv(u-weekOffset, w.Seconds())*w.Seconds() + weekOffset
	}
	return floorDiv(u, w.Seconds()) * w.Seconds()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Accepts reports whether an event at t still counts at now: its window has
// not ended more than lateness ago. An accepted late event counts in its
// own window, never in the current one.
func (w Window) Accepts(t, now time.Time, lateness time.Duration) bool {
	end := time.Unix(w.Start(t)+w.Seconds(), 0)
	return !now.After(end.Add(lateness))
}

// Weights turn engagement into y.
type Weights struct {
	View       float64
	Like       float64
	Completion float64
	Follow     float64
}

// Score is an item's trending score in a window.
type Score struct {
	Y       float64 // weighted engagement in the window (never below 0)
	YPrev   float64 // in the window before
	Omega   float64 // growth against the previous window
	Upsilon float64 // against the window's top item
	Phi     float64 // ω + υ
}

// Omega is the growth ω = (y − y_prev) / y_prev. When the previous window
// had no engagement (y_prev = 0) growth is undefined; Alexandria defines it
// as 1 when y > 0 (an item that appears counts as having doubled, so a
// newcomer neither outranks every grower nor is ignored) and 0 when y = 0.
func Omega(y, prev float64) float64 {
	y, prev = max(y, 0), max(prev, 0)
	if prev == 0 {
		if y > 0 {
			return 1
		}
		return 0
	}
	return (y - prev) / prev
}

// Compute applies Φ = ω + υ with υ = y / top, top being the largest y of a
// visible item in the window (υ = 0 when top is 0).
func Compute(y, prev, top float64) Score {
	s := Score{Y: max(y, 0), YPrev: max(prev, 0)}
	s.Omega = Omega(s.Y, s.YPrev)
	if top > 0 {
		s.Upsilon = s.Y / top
	}
	s.Phi = s.Omega + s.Upsilon
	return s
}
