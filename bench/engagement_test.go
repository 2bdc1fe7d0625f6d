package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/engagement"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// The engagement target's write path (views) and read path (home feed), on
// SQLite and PostgreSQL, each next to a baseline measured in the same run.
// Both are macro benchmarks: one run each (-benchtime=1x is implied by
// their length).

// engagementUnderTest is engagement behind the production middleware, with
// a second handle on its store to seed and inspect it.
type engagementUnderTest struct {
	h   *moduletest.Harness
	raw *db.DB
	hc  *http.Client
}

func startEngagement(b *testing.B, s moduletest.Store) *engagementUnderTest {
	b.Helper()
	h := moduletest.NewHarness(b, s)
	cfg := engagement.DefaultConfig()
	svc, err := engagement.New(context.Background(), cfg, h.Deps)
	if err != nil {
		b.Fatal(err)
	}
	h.Start(b, svc)
	raw, err := db.Open(context.Background(), s.Config, db.Options{Service: "engagement", DataDir: h.Deps.DataDir, Schema: h.Deps.DBSchema})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = raw.Close() })
	return &engagementUnderTest{h: h, raw: raw, hc: keepAliveClient()}
}

func (e *engagementUnderTest) exec(b *testing.B, q string, args ...any) {
	b.Helper()
	if _, err := e.raw.ExecContext(context.Background(), q, args...); err != nil {
		b.Fatal(err)
	}
}

// insertRows writes rows into table with multi-row INSERTs of 300 rows, one
// transaction per 3,000; it returns the time taken.
func (e *engagementUnderTest) insertRows(b *testing.B, table, cols string, n int, row func(i int) []any) time.Duration {
	b.Helper()
	ctx := context.Background()
	width := len(row(0))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	start := time.Now()
	for lo := 0; lo < n; lo += 3000 {
		tx, err := e.raw.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for c := lo; c < min(lo+3000, n); c += 300 {
			hi := min(c+300, n)
			args := make([]any, 0, (hi-c)*width)
			vals := make([]string, 0, hi-c)
			for i := c; i < hi; i++ {
				args = append(args, row(i)...)
				vals = append(vals, one)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO "+table+" ("+cols+") VALUES "+strings.Join(vals, ", "), args...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

func (e *engagementUnderTest) scalar(b *testing.B, q string, args ...any) int64 {
	b.Helper()
	var n []int64
	if err := e.raw.NewRaw(q, args...).Scan(context.Background(), &n); err != nil {
		b.Fatal(err)
	}
	if len(n) == 0 {
		return 0
	}
	return n[0]
}

// seedMedia makes published items by author, published one minute apart.
func (e *engagementUnderTest) seedMedia(b *testing.B, ids []string, authorOf func(i int) string, base time.Time) {
	b.Helper()
	e.insertRows(b, "media", "id, kind, title, status, duration_seconds, published_at, version", len(ids), func(i int) []any {
		return []any{ids[i], "podcast", "Episode", "published", 600.0, base.Add(time.Duration(i) * time.Minute), 1}
	})
	e.insertRows(b, "media_refs", "media_id, ref_type, ref_id", len(ids), func(i int) []any {
		return []any{ids[i], "author", authorOf(i)}
	})
}

// analyze refreshes the planner's statistics after bulk seeding, as
// PostgreSQL's autovacuum (and SQLite's optimize) would on a live store.
func (e *engagementUnderTest) analyze(b *testing.B) {
	b.Helper()
	e.exec(b, "ANALYZE")
}

func uuids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = uuid.NewString()
	}
	return out
}

func (e *engagementUnderTest) post(b *testing.B, url, agent, body string) {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", agent)
	resp, err := e.hc.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b.Errorf("view: %d", resp.StatusCode)
	}
}

// BenchmarkViews: distinct anonymous views posted by 8 concurrent clients
// (POST /v1/media/{id}/views) until all are counted, next to the raw insert
// ceiling of the same store in the same run: the same number of view rows
// written with multi-row INSERTs in large transactions (what a store can
// take at best), and with one INSERT per view (a row write per view).
func BenchmarkViews(b *testing.B) {
	for _, s := range moduletest.Stores(b) {
		b.Run(s.Name, func(b *testing.B) {
			e := startEngagement(b, s)
			const n, clients = 20000, 8
			media := uuids(10)
			author := uuid.NewString()
			e.seedMedia(b, media, func(int) string { return author }, time.Now().Add(-time.Hour))

			// Ceilings, in the same store.
			e.exec(b, "CREATE TABLE bench_views (media_id TEXT NOT NULL, viewer TEXT NOT NULL, hour BIGINT NOT NULL)")
			batched := e.insertRows(b, "bench_views", "media_id, viewer, hour", n, func(i int) []any {
				return []any{media[i%len(media)], fmt.Sprintf("a:%032x", i), int64(1)}
			})
			var next atomic.Int64
			single := n / 4
			t0 := time.Now()
			var wg sync.WaitGroup
			for range clients {
				wg.Go(func() {
					for i := next.Add(1); i <= int64(single); i = next.Add(1) {
						if _, err := e.raw.ExecContext(context.Background(), "INSERT INTO bench_views (media_id, viewer, hour) VALUES (?, ?, ?)",
							media[i%10], fmt.Sprintf("s:%032x", i), 1); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			singleRate := float64(single) / time.Since(t0).Seconds()
			batchedRate := float64(n) / batched.Seconds()

			// The engagement write path over HTTP.
			next.Store(0)
			b.ResetTimer()
			start := time.Now()
			for range clients {
				wg.Go(func() {
					for i := next.Add(1); i <= n; i = next.Add(1) {
						e.post(b, e.h.Server.URL+"/v1/media/"+media[i%10]+"/views", fmt.Sprintf("BenchReader/%d", i), `{"seconds_played": 12}`)
					}
				})
			}
			wg.Wait()
			accepted := time.Since(start)
			for e.scalar(b, "SELECT COALESCE(SUM(views), 0) FROM media_stats") < n {
				if time.Since(start) > 5*time.Minute {
					b.Fatalf("only %d of %d views counted", e.scalar(b, "SELECT COALESCE(SUM(views), 0) FROM media_stats"), n)
				}
				time.Sleep(5 * time.Millisecond)
			}
			counted := time.Since(start)
			b.StopTimer()
			rate := float64(n) / counted.Seconds()
			// The store side alone: the time the batches of these views took
			// to count (the flush histogram), as a rate.
			flushed := 0.0
			families, err := e.h.Deps.Metrics.(*prometheus.Registry).Gather()
			if err != nil {
				b.Fatal(err)
			}
			for _, f := range families {
				if f.GetName() == "alexandria_engagement_view_flush_seconds" {
					flushed = f.GetMetric()[0].GetHistogram().GetSampleSum()
				}
			}
			b.ReportMetric(float64(n)/flushed, "counting_views/s")
			b.ReportMetric(float64(n)/flushed/batchedRate, "x_counting_vs_batched")
			b.ReportMetric(rate, "views/s")
			b.ReportMetric(float64(n)/accepted.Seconds(), "accepted/s")
			b.ReportMetric(batchedRate, "ceiling_batched_rows/s")
			b.ReportMetric(singleRate, "ceiling_single_rows/s")
			b.ReportMetric(rate/batchedRate, "x_batched_ceiling")
			b.ReportMetric(rate/singleRate, "x_single_ceiling")
		})
	}
}

// BenchmarkFeed: the home feed of a user following 1,000 authors (of
// 2,000, 20 items each: 40,000 items), first page and tenth page, p95 over
// 200 reads; and the cost of publishing one item by an author with 100,000
// followers (fan-out on read: the item is one row whatever the following),
// next to writing 100,000 feed rows in the same store (what fan-out on
// write would add to that publication).
func BenchmarkFeed(b *testing.B) {
	for _, s := range moduletest.Stores(b) {
		b.Run(s.Name, func(b *testing.B) {
			e := startEngagement(b, s)
			const authors, perAuthor = 2000, 20
			authorIDs := uuids(authors)
			media := uuids(authors * perAuthor)
			base := time.Now().Add(-time.Duration(len(media)) * time.Minute)
			e.seedMedia(b, media, func(i int) string { return authorIDs[i%authors] }, base)
			e.analyze(b)
			reader := uuid.NewString()
			created := time.Now()
			e.insertRows(b, "follows", "user_id, target_type, target_id, created_at", authors/2, func(i int) []any {
				return []any{reader, "author", authorIDs[2*i], created}
			})
			token := e.h.Issuer.Token(reader, "reader")
			read := func(url string) string {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := e.hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				defer resp.Body.Close()
				var page struct {
					Items []struct {
						MediaID string `json:"media_id"`
					} `json:"items"`
					Next string `json:"next_page_token"`
				}
				if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&page) != nil || len(page.Items) != 20 {
					b.Fatalf("feed: %d", resp.StatusCode)
				}
				return page.Next
			}
			feed := e.h.Server.URL + "/v1/users/me/feed?page_size=20"
			tenth := ""
			for range 9 {
				tenth = read(feed + "&page_token=" + tenth)
			}
			e.analyze(b)
			b.ResetTimer()
			var first, deep []time.Duration
			for range 200 {
				t0 := time.Now()
				read(feed)
				t1 := time.Now()
				read(feed + "&page_token=" + tenth)
				first, deep = append(first, t1.Sub(t0)), append(deep, time.Since(t1))
			}
			b.StopTimer()
			slices.Sort(first)
			slices.Sort(deep)
			b.ReportMetric(float64(first[len(first)*95/100].Microseconds())/1000, "first_page_p95_ms")
			b.ReportMetric(float64(deep[len(deep)*95/100].Microseconds())/1000, "tenth_page_p95_ms")

			// Publishing by an author with 100,000 followers.
			const followers = 100_000
			star := authorIDs[1] // not followed by the reader
			e.insertRows(b, "follows", "user_id, target_type, target_id, created_at", followers, func(int) []any {
				return []any{uuid.NewString(), "author", star, created}
			})
			e.exec(b, "CREATE TABLE bench_feed_rows (user_id TEXT NOT NULL, media_id TEXT NOT NULL, published_at TEXT NOT NULL)")
			item := uuid.NewString()
			fanout := e.insertRows(b, "bench_feed_rows", "user_id, media_id, published_at", followers, func(i int) []any {
				return []any{fmt.Sprintf("u%d", i), item, "2026-01-01"}
			})
			payload, _ := json.Marshal(map[string]any{"id": item, "kind": "podcast", "title": "New", "status": "published",
				"author_ids": []string{star}, "category_ids": []string{}, "tags": []string{}, "version": 1,
				"published_at": time.Now().UTC().Format(time.RFC3339Nano)})
			t0 := time.Now()
			ev := bus.Event{ID: uuid.NewString(), Type: "catalog.media.published.v1", Source: "/alexandria/catalog",
				Subject: "media/" + item, Key: item, Time: time.Now().UTC(), Data: payload}
			if err := e.h.Deps.Bus.Publisher().Publish(bus.Topic("catalog"), ev.Message()); err != nil {
				b.Fatal(err)
			}
			for e.scalar(b, "SELECT COUNT(*) FROM media WHERE id = ?", item) == 0 {
				if time.Since(t0) > time.Minute {
					b.Fatal("the published item never arrived")
				}
				time.Sleep(time.Millisecond)
			}
			publish := time.Since(t0)
			b.ReportMetric(float64(publish.Microseconds())/1000, "publish_100k_followers_ms")
			b.ReportMetric(float64(fanout.Microseconds())/1000, "fanout_write_100k_rows_ms")
		})
	}
}

// BenchmarkProgress: progress updates per second over HTTP (8 clients,
// PUT /v1/users/me/progress/{id}, each a later client_time) and over MQTT
// (one device publishing QoS 1 to the machine's Mosquitto, each message
// applied), on SQLite.
func BenchmarkProgress(b *testing.B) {
	s := moduletest.Stores(b)[0]
	h := moduletest.NewHarness(b, s)
	// Identity's token exchange, as POST /v1/auth/token answers it.
	user := uuid.NewString()
	ident := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": h.Issuer.TokenWithScopes(user, []string{"progress:write"}, "reader")})
	}))
	b.Cleanup(ident.Close)
	h.Deps.IdentityURL = ident.URL
	cfg := engagement.DefaultConfig()
	broker := "127.0.0.1:1883"
	mqttUp := false
	if conn, err := net.DialTimeout("tcp", broker, time.Second); err == nil {
		_ = conn.Close()
		mqttUp = true
		cfg.MQTTURL, cfg.MQTTClientID = "mqtt://"+broker, "bench-engagement-"+suffix()
	}
	svc, err := engagement.New(context.Background(), cfg, h.Deps)
	if err != nil {
		b.Fatal(err)
	}
	h.Start(b, svc)
	raw, err := db.Open(context.Background(), s.Config, db.Options{Service: "engagement", DataDir: h.Deps.DataDir, Schema: h.Deps.DBSchema})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = raw.Close() })
	e := &engagementUnderTest{h: h, raw: raw, hc: keepAliveClient()}
	items := uuids(50)
	e.seedMedia(b, items, func(int) string { return uuid.NewString() }, time.Now().Add(-time.Hour))
	token := h.Issuer.Token(user, "reader")
	const n, clients = 5000, 8
	base := time.Now().Add(-time.Hour)
	body := func(i int64) string {
		return fmt.Sprintf(`{"seconds": %d, "device": "bench", "client_time": %q}`, i%500, base.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano))
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for i := next.Add(1); i <= n; i = next.Add(1) {
				req, _ := http.NewRequest(http.MethodPut, e.h.Server.URL+"/v1/users/me/progress/"+items[i%50], strings.NewReader(body(i)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := e.hc.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("progress: %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "http_updates/s")
	if !mqttUp {
		b.Log("Mosquitto unreachable: no MQTT figure")
		return
	}
	dev := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker).SetClientID("bench-device-" + suffix()).SetMaxResumePubInFlight(100))
	if tk := dev.Connect(); tk.Wait() && tk.Error() != nil {
		b.Fatal(tk.Error())
	}
	b.Cleanup(func() { dev.Disconnect(100) })
	topic := engagement.ProgressTopic(user)
	later := base.Add(time.Hour)
	msg := func(i int) []byte {
		out, _ := json.Marshal(map[string]any{"media_id": items[i%50], "seconds": i % 500, "device": "car",
			"client_time": later.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339Nano), "api_token": "alx_bench"})
		return out
	}
	// The subscription exists once a first message is applied.
	for raw := e.scalar(b, "SELECT COUNT(*) FROM progress WHERE device = 'car'"); raw == 0; raw = e.scalar(b, "SELECT COUNT(*) FROM progress WHERE device = 'car'") {
		dev.Publish(topic, 1, false, msg(0)).Wait()
		time.Sleep(10 * time.Millisecond)
	}
	// Bursts of 200 (within Mosquitto's default queue of 1,000 messages
	// per session), each waited for until its last message is stored.
	applied := func() float64 {
		families, err := h.Deps.Metrics.(*prometheus.Registry).Gather()
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range families {
			if f.GetName() == "alexandria_engagement_mqtt_messages_total" {
				for _, m := range f.GetMetric() {
					if m.GetLabel()[0].GetValue() == "applied" {
						return m.GetCounter().GetValue()
					}
				}
			}
		}
		return 0
	}
	first := applied()
	arrived := func(i int) bool { return applied()-first >= float64(i) }
	start = time.Now()
	for lo := 1; lo <= n; lo += 200 {
		hi := min(lo+199, n)
		var toks []mqtt.Token
		for i := lo; i <= hi; i++ {
			toks = append(toks, dev.Publish(topic, 1, false, msg(i)))
		}
		for _, tk := range toks {
			tk.Wait()
		}
		for !arrived(hi) {
			if time.Since(start) > 2*time.Minute {
				b.Fatalf("MQTT updates never all arrived (burst ending at %d)", hi)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "mqtt_updates/s")
}
