package domain

import (
	"testing"
	"time"
)

func TestWindowStarts(t *testing.T) {
	at := time.Date(2026, 3, 11, 15, 42, 7, 0, time.UTC) // Wednesday
	for w, want := range map[Window]time.Time{
		Hour: time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC),
		Day:  time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC),
		Week: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), // Monday
	} {
		if got := time.Unix(w.Start(at), 0).UTC(); !got.Equal(want) {
			t.Errorf("%s start of %s = %s, want %s", w, at, got, want)
		}
	}
	monday := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	if got := Week.Start(monday); got != monday.Unix() {
		t.Errorf("a week starts at its own Monday: %s", time.Unix(got, 0).UTC())
	}
	if got := Week.Start(monday.Add(-time.Second)); got != monday.AddDate(0, 0, -7).Unix() {
		t.Errorf("Sunday 23:59:59 belongs to the week before: %s", time.Unix(got, 0).UTC())
	}
}

func TestLateness(t *testing.T) {
	at := time.Date(2026, 3, 11, 14, 59, 0, 0, time.UTC)
	if !Hour.Accepts(at, at.Add(11*time.Minute), 10*time.Minute) {
		t.Error("within lateness after the hour ended: accepted")
	}
	if Hour.Accepts(at, at.Add(11*time.Minute+time.Second), 10*time.Minute) {
		t.Error("beyond lateness: dropped")
	}
	if !Day.Accepts(at, at.Add(time.Hour), 0) {
		t.Error("the day is still open")
	}
}

func TestFormula(t *testing.T) {
	for _, c := range []struct{ y, prev, top, omega, ups float64 }{
		{y: 10, prev: 5, top: 20, omega: 1, ups: 0.5},
		{y: 5, prev: 10, top: 5, omega: -0.5, ups: 1},
		{y: 4, prev: 0, top: 8, omega: 1, ups: 0.5}, // newcomer: ω defined as 1
		{y: 0, prev: 0, top: 0, omega: 0, ups: 0},
		{y: -3, prev: 2, top: 4, omega: -1, ups: 0}, // y below 0 counts as 0
	} {
		s := Compute(c.y, c.prev, c.top)
		if s.Omega != c.omega || s.Upsilon != c.ups || s.Phi != c.omega+c.ups {
			t.Errorf("Compute(%v, %v, %v) = %+v, want ω %v υ %v", c.y, c.prev, c.top, s, c.omega, c.ups)
		}
	}
	if _, err := ParseWindow("month"); err == nil {
		t.Error("month is no window")
	}
}
