package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/feeds"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/auth/authtest"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

// startFeeds runs the feeds target alone on SQLite, fed through its event
// pipeline with one author and episodes published podcast episodes, and
// returns the author's podcast feed URL once the feed lists them all.
func startFeeds(b *testing.B, episodes, cacheEntries int) string {
	b.Helper()
	feed, _ := startFeedsAuth(b, episodes, cacheEntries)
	return feed
}

// startFeedsAuth is startFeeds behind the bearer-token middleware, with the
// issuer of its tokens.
func startFeedsAuth(b *testing.B, episodes, cacheEntries int) (string, *authtest.Issuer) {
	b.Helper()
	issuer := authtest.NewIssuer(b)
	ctx := context.Background()
	mux := http.NewServeMux()
	memory := bus.NewMemory(nil)
	cfg := feeds.DefaultConfig()
	cfg.CacheEntries = cacheEntries
	d := module.Deps{Logger: slog.New(slog.DiscardHandler), API: httpx.NewAPI(mux, "bench"), Mux: mux,
		DB: db.Config{MaxOpenConns: 4}, DataDir: b.TempDir(), Bus: memory, Events: events.DefaultConfig(),
		HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	s, err := feeds.New(ctx, cfg, d)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(auth.Middleware(issuer.Verifier())(mux))
	b.Cleanup(func() {
		srv.Close()
		_ = s.Close(context.Background())
	})
	author := uuid.NewString()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	send := func(typ string, payload any) {
		data, err := json.Marshal(payload)
		if err != nil {
			b.Fatal(err)
		}
		e := bus.Event{ID: uuid.NewString(), Type: typ, Source: "/alexandria/catalog", Subject: "x/" + uuid.NewString(), Data: data, Time: time.Now()}
		if err := memory.Publisher().Publish(bus.Topic("catalog"), e.Message()); err != nil {
			b.Fatal(err)
		}
	}
	send("catalog.author.created.v1", map[string]any{"id": author, "name": "Bench Host", "bio": "Talks.", "status": "active",
		"avatar": "https://img.example/a.png", "links": []any{}, "members": []any{}, "created_at": t0, "updated_at": t0, "version": 1})
	for i := range episodes {
		pub := t0.Add(time.Duration(i) * time.Hour)
		send("catalog.media.published.v1", map[string]any{"id": uuid.NewString(), "title": fmt.Sprintf("Episode %05d", i),
			"description": "A representative episode description of a sentence or two, as shows write them.",
			"kind":        "podcast", "language": "en", "author_ids": []string{author}, "category_ids": []string{}, "tags": []string{"bench"},
			"license": "CC-BY-4.0", "published_at": pub, "status": "published", "created_at": pub, "updated_at": pub, "version": 2,
			"content":     map[string]any{"size": 24_000_000, "sha256": strings.Repeat("ab", 32), "content_type": "audio/mpeg", "duration_seconds": 1800.0},
			"derivatives": []any{map[string]any{"kind": "waveform", "name": "waveform.json", "url": "/x", "content_type": "application/json", "size": 2000}}})
	}
	feed := srv.URL + "/feeds/authors/" + author + "/podcast.xml"
	hc := keepAliveClient()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		resp, err := hc.Get(feed)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && strings.Count(string(body), "<item>") == episodes {
			return feed, issuer
		}
		if time.Now().After(deadline) {
			b.Fatalf("feed not ready: %d, %d items", resp.StatusCode, strings.Count(string(body), "<item>"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// BenchmarkFeedWarm alternates a cached podcast feed (50 episodes) with the
// same bytes served as a static file by net/http (http.ServeFile), and
// reports the ratio (x_static; goal ≤ 1.25, i.e. ≥ 0.8× the static rate).
func BenchmarkFeedWarm(b *testing.B) {
	feed := startFeeds(b, 50, 2048)
	hc := keepAliveClient()
	doc := get(b, hc, feed)
	path := filepath.Join(b.TempDir(), "podcast.xml")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		b.Fatal(err)
	}
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		http.ServeFile(w, r, path)
	}))
	defer static.Close()
	var alex, base time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		get(b, hc, feed)
		t1 := time.Now()
		get(b, hc, static.URL)
		t2 := time.Now()
		alex += t1.Sub(t0)
		base += t2.Sub(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(alex.Nanoseconds())/n, "feed_ns/req")
	b.ReportMetric(float64(base.Nanoseconds())/n, "static_ns/req")
	b.ReportMetric(float64(alex)/float64(base), "x_static")
	b.ReportMetric(float64(len(doc)), "body_bytes")
}

// BenchmarkFeedCold5000 renders an author's podcast feed of 5,000 episodes
// from the read model on every request (the cache off).
func BenchmarkFeedCold5000(b *testing.B) {
	feed := startFeeds(b, 5000, 0)
	hc := keepAliveClient()
	size := len(get(b, hc, feed))
	b.ResetTimer()
	for b.Loop() {
		get(b, hc, feed)
	}
	b.ReportMetric(float64(size), "body_bytes")
}

// BenchmarkPrivateFeedWarm alternates an author's cached podcast feed (50
// episodes) at its private URL (a token lookup by hash, then the cache)
// with the public URL, and reports the ratio (x_public).
func BenchmarkPrivateFeedWarm(b *testing.B) {
	feed, issuer := startFeedsAuth(b, 50, 2048)
	hc := keepAliveClient()
	base, _, _ := strings.Cut(feed, "/feeds/")
	req, err := http.NewRequest(http.MethodPost, base+"/v1/feeds/tokens", strings.NewReader(`{"name":"bench"}`))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+issuer.Token(uuid.NewString()))
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated {
		b.Fatalf("create feed token: %d %v", resp.StatusCode, err)
	}
	private := strings.Replace(feed, "/feeds/", "/feeds/private/"+tok.Token+"/", 1)
	get(b, hc, private)
	var priv, pub time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		get(b, hc, private)
		t1 := time.Now()
		get(b, hc, feed)
		t2 := time.Now()
		priv += t1.Sub(t0)
		pub += t2.Sub(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(priv.Nanoseconds())/n, "private_ns/req")
	b.ReportMetric(float64(pub.Nanoseconds())/n, "public_ns/req")
	b.ReportMetric(float64(priv)/float64(pub), "x_public")
}
