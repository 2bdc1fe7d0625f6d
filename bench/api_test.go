// Package bench measures Alexandria's hot paths against a baseline measured
// in the same run, and reports ratios rather than absolute times.
//
//	make bench
//
// BenchmarkGetMedia and BenchmarkListMedia each alternate one request to
// Alexandria with one request to a plain net/http handler that returns a
// document of the same size over the same loopback and client, and report
// the ratio as "x_baseline" (1.0 = as fast as the bare handler).
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/app"
	"github.com/alexandria-platform/alexandria/internal/config"
)

const benchAdminPassword = "benchmark admin passphrase"

// platform runs the whole platform in this process on SQLite and seeds it
// with one author and n published media items.
type platform struct {
	url     string
	mediaID string
	authID  string
	token   string
}

// useDocument points p.mediaID at a new published document (for uploads).
func (p *platform) useDocument(b *testing.B) {
	b.Helper()
	c := client.New(p.url, nil).WithToken(p.token)
	m, err := c.CreateMedia(context.Background(), client.MediaInput{Title: "Benchmark document", Kind: "document",
		Language: "en", AuthorIDs: []string{p.authID}})
	if err != nil {
		b.Fatal(err)
	}
	// Published before its upload: processing returns it to published, and
	// anonymous downloads may read it.
	published := "published"
	if _, err := c.UpdateMedia(context.Background(), m.ID, client.MediaPatch{Status: &published}, ""); err != nil {
		b.Fatal(err)
	}
	p.mediaID = m.ID
}

func startPlatform(b *testing.B, items int) *platform {
	b.Helper()
	c, err := config.Load(config.Sources{Set: []string{
		"http.addr=127.0.0.1:0", "http.ops_addr=127.0.0.1:0",
		"data_dir=" + filepath.Join(b.TempDir(), "data"),
		"log.level=error",
		"log.format=json",
		"identity.admin_password=" + benchAdminPassword,
		"identity.login_rate_per_address=100000",
	}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, c, "all", app.Options{Version: "bench", Stdout: io.Discard, Stderr: io.Discard,
			Started: func(u string) { started <- u }})
	}()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	})
	var base string
	select {
	case base = <-started:
	case err := <-done:
		b.Fatal(err)
	case <-time.After(30 * time.Second):
		b.Fatal("platform did not start")
	}

	anon := client.New(base, nil)
	tok, err := anon.Login(ctx, c.Identity.AdminEmail, benchAdminPassword)
	if err != nil {
		b.Fatal(err)
	}
	admin := anon.WithToken(tok.AccessToken)
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Bench Author"})
	if err != nil {
		b.Fatal(err)
	}
	published := "published"
	p := &platform{url: base, authID: author.ID, token: tok.AccessToken}
	for i := range items {
		m, err := admin.CreateMedia(ctx, client.MediaInput{
			Title: fmt.Sprintf("Benchmark item %04d", i), Kind: []string{"book", "video"}[i%2], Language: "en",
			AuthorIDs: []string{author.ID}, Tags: []string{"bench"}, License: "CC-BY-4.0",
			Description: "A representative description of a media item used to size the response body.",
		})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, ""); err != nil {
			b.Fatal(err)
		}
		p.mediaID = m.ID
	}
	return p
}

// get fetches url and returns the body, failing the benchmark on non-200.
func get(b *testing.B, hc *http.Client, url string) []byte {
	resp, err := hc.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return body
}

// compare alternates requests to target and to a baseline serving the same
// bytes, and reports both latencies and their ratio.
func compare(b *testing.B, hc *http.Client, target string) {
	doc := get(b, hc, target)
	baseline := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.Copy(w, bytes.NewReader(doc))
	}))
	defer baseline.Close()

	var alex, base time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		get(b, hc, target)
		t1 := time.Now()
		get(b, hc, baseline.URL)
		t2 := time.Now()
		alex += t1.Sub(t0)
		base += t2.Sub(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(alex.Nanoseconds())/n, "alexandria_ns/req")
	b.ReportMetric(float64(base.Nanoseconds())/n, "baseline_ns/req")
	b.ReportMetric(float64(alex)/float64(base), "x_baseline")
	b.ReportMetric(float64(len(doc)), "body_bytes")
}

func keepAliveClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: 10 * time.Second}
}

func BenchmarkGetMedia(b *testing.B) {
	p := startPlatform(b, 50)
	compare(b, keepAliveClient(), p.url+"/v1/media/"+p.mediaID)
}

func BenchmarkListMediaFiltered(b *testing.B) {
	p := startPlatform(b, 200)
	compare(b, keepAliveClient(), p.url+"/v1/media?kind=video&tag=bench&page_size=20&author_id="+p.authID)
}

// BenchmarkListMediaDeepPage alternates fetching the first page and a page
// 1,000 pages deep (page_size 1), and reports the deep page's cost as a
// ratio of the first's: keyset pagination keeps it near 1.
func BenchmarkListMediaDeepPage(b *testing.B) {
	const depth = 1000
	p := startPlatform(b, depth+10)
	hc := keepAliveClient()
	anon := client.New(p.url, hc)
	f := client.MediaFilter{ListOptions: client.ListOptions{PageSize: 1}}
	for range depth {
		page, err := anon.ListMedia(context.Background(), f)
		if err != nil || page.NextPageToken == "" {
			b.Fatalf("walking pages: %v", err)
		}
		f.PageToken = page.NextPageToken
	}
	first := p.url + "/v1/media?page_size=1"
	deep := p.url + "/v1/media?page_size=1&page_token=" + f.PageToken

	var firstTime, deepTime time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		get(b, hc, first)
		t1 := time.Now()
		get(b, hc, deep)
		t2 := time.Now()
		firstTime += t1.Sub(t0)
		deepTime += t2.Sub(t1)
	}
	b.ReportMetric(float64(firstTime.Nanoseconds())/float64(b.N), "first_page_ns/req")
	b.ReportMetric(float64(deepTime.Nanoseconds())/float64(b.N), "page_1000_ns/req")
	b.ReportMetric(float64(deepTime)/float64(firstTime), "x_first_page")
}
