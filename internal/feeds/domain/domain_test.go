package domain

import (
	"testing"
	"time"
)

func TestPodcastGUIDFollowsTheSpecification(t *testing.T) {
	// The example of the Podcasting 2.0 namespace documentation.
	if got := PodcastGUID("https://mp3s.nashownotes.com/pc20rss.xml"); got != "917393e3-1b1e-5cef-ace4-edaa54e1f810" {
		t.Fatalf("PodcastGUID = %s", got)
	}
	if PodcastGUID("http://a.example/f/") != PodcastGUID("https://a.example/f") {
		t.Fatal("scheme and trailing slash must not change the guid")
	}
}

func TestListedNeedsPublishedWithAFile(t *testing.T) {
	now := time.Now()
	m := Media{Status: StatusPublished, PublishedAt: &now}
	if m.Listed() {
		t.Fatal("an item without a processed file is listed")
	}
	m.Content = &Content{Size: 1}
	if !m.Listed() {
		t.Fatal("a published item with a file is not listed")
	}
	m.Status = "removed"
	if m.Listed() {
		t.Fatal("a removed item is listed")
	}
}

func TestSortKeyOrdersByTime(t *testing.T) {
	a, b := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 1000, time.UTC)
	ma, mb := Media{ID: "b", PublishedAt: &a}, Media{ID: "a", PublishedAt: &b}
	if ma.SortKey() >= mb.SortKey() {
		t.Fatalf("%s !< %s", ma.SortKey(), mb.SortKey())
	}
}

func TestAcquisitionType(t *testing.T) {
	for in, want := range map[string]string{"application/pdf": "application/pdf", "application/epub+zip": "application/epub+zip",
		"text/markdown; charset=utf-8": "text/markdown", "": "application/octet-stream"} {
		if got := AcquisitionType(in); got != want {
			t.Errorf("AcquisitionType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFundingLinks(t *testing.T) {
	a := Author{Links: []Link{{Title: "Website", URL: "https://a.example"}, {Title: "Donate", URL: "https://d.example"}}}
	if got := a.FundingLinks(); len(got) != 1 || got[0].URL != "https://d.example" {
		t.Fatalf("FundingLinks = %v", got)
	}
}

func TestFeedSecrets(t *testing.T) {
	a, b := NewFeedSecret(), NewFeedSecret()
	if a == b || !WellFormedFeedSecret(a) || HashFeedSecret(a) == HashFeedSecret(b) || HashFeedSecret(a) == a {
		t.Fatalf("secrets %q %q", a, b)
	}
	for _, bad := range []string{"", "alxf_", a[:len(a)-1], "xxxx_" + a[5:], a + "A", a[:10] + "!" + a[11:]} {
		if WellFormedFeedSecret(bad) {
			t.Fatalf("%q accepted", bad)
		}
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	tk := FeedToken{}
	if !tk.NeedsLastUse(now) {
		t.Fatal("never used: not recorded")
	}
	recent := now.Add(-LastUseGranularity + time.Second)
	tk.LastUsedAt = &recent
	if tk.NeedsLastUse(now) {
		t.Fatal("recorded again within the granularity")
	}
	old := now.Add(-LastUseGranularity)
	tk.LastUsedAt = &old
	if !tk.NeedsLastUse(now) {
		t.Fatal("stale last use not recorded")
	}
}
