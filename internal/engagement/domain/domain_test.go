package domain

import (
	"errors"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

func ptr[T any](v T) *T { return &v }

func TestSightingCounts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s    Sighting
		want bool
	}{
		{Sighting{SecondsPlayed: 9.99}, false},
		{Sighting{SecondsPlayed: 10}, true},
		{Sighting{SecondsRead: 29, PagesRead: 50}, false},
		{Sighting{SecondsRead: 30}, true},
		{Sighting{}, false},
	} {
		if got := tt.s.Counts(); got != tt.want {
			t.Errorf("%+v.Counts() = %v", tt.s, got)
		}
	}
}

func TestCrawlers(t *testing.T) {
	t.Parallel()
	for ua, want := range map[string]bool{
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": true,
		"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)":  true,
		"facebookexternalhit/1.1": true,
		"":                        true,
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0": false,
		"AntennaPod/3.5.0": false,
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile": false,
	} {
		if got := IsCrawler(ua); got != want {
			t.Errorf("IsCrawler(%q) = %v", ua, got)
		}
	}
}

func TestAnonymousViewer(t *testing.T) {
	t.Parallel()
	a := AnonymousViewer([]byte("salt-1"), "192.0.2.1", "Firefox")
	if a != AnonymousViewer([]byte("salt-1"), "192.0.2.1", "Firefox") {
		t.Fatal("not stable within a day")
	}
	if a == AnonymousViewer([]byte("salt-2"), "192.0.2.1", "Firefox") {
		t.Fatal("same hash under another day's salt")
	}
	if a == AnonymousViewer([]byte("salt-1"), "192.0.2.1", "Chrome") || a == AnonymousViewer([]byte("salt-1"), "192.0.2.11", "Firefox") {
		t.Fatal("different viewers collide")
	}
}

func TestNewProgress(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	video := Media{ID: "v", DurationSeconds: ptr(200.0)}
	book := Media{ID: "b", Pages: ptr(100)}
	epub := Media{ID: "e"}
	field := func(err error) string {
		var e *errs.Error
		if !errors.As(err, &e) || len(e.Fields) == 0 {
			return ""
		}
		return e.Fields[0].Name
	}
	for _, tt := range []struct {
		name    string
		m       Media
		pos     Position
		at      time.Time
		percent float64
		field   string
	}{
		{"seconds", video, Position{Seconds: ptr(50.0)}, now, 25, ""},
		{"beyond_duration", video, Position{Seconds: ptr(260.0)}, now, 0, "body.seconds"},
		{"negative", video, Position{Seconds: ptr(-1.0)}, now, 0, "body.seconds"},
		{"page", book, Position{Page: ptr(96)}, now, 96, ""},
		{"beyond_pages", book, Position{Page: ptr(101)}, now, 0, "body.page"},
		{"pages_disagree", book, Position{Page: ptr(1), Pages: ptr(50)}, now, 0, "body.pages"},
		{"pages_unknown", epub, Position{Page: ptr(3)}, now, 0, "body.pages"},
		{"cfi", epub, Position{CFI: "epubcfi(/6/4!/4/10)", Percent: ptr(40.0)}, now, 40, ""},
		{"cfi_without_percent", epub, Position{CFI: "epubcfi(/6/4)"}, now, 0, "body.percent"},
		{"two_positions", video, Position{Seconds: ptr(1.0), Page: ptr(1)}, now, 0, "body"},
		{"none", video, Position{}, now, 0, "body"},
		{"far_future", video, Position{Seconds: ptr(1.0)}, now.Add(25 * time.Hour), 0, "body.client_time"},
	} {
		p, err := NewProgress("u", tt.m, tt.pos, "phone", tt.at, now)
		if f := field(err); f != tt.field || (err == nil) != (tt.field == "") {
			t.Errorf("%s: err = %v (field %q), want field %q", tt.name, err, f, tt.field)
			continue
		}
		if err == nil && p.Percent != tt.percent {
			t.Errorf("%s: percent = %v, want %v", tt.name, p.Percent, tt.percent)
		}
		if err == nil && p.Finished != (tt.percent >= 95) {
			t.Errorf("%s: finished = %v", tt.name, p.Finished)
		}
	}
}

func TestSupersedes(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	old := Progress{ClientTime: t0}
	if !(Progress{ClientTime: t0.Add(time.Millisecond)}).Supersedes(old) {
		t.Error("later report lost")
	}
	if (Progress{ClientTime: t0}).Supersedes(old) || (Progress{ClientTime: t0.Add(-time.Hour)}).Supersedes(old) {
		t.Error("a replay or an older report won")
	}
}
