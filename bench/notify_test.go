package bench

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	mail "github.com/wneessen/go-mail"

	"github.com/alexandria-platform/alexandria/internal/notify"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// BenchmarkNotifyFanout: an author with 100,000 followers (BENCH_FANOUT_N)
// publishes; the time until every follower's inbox has the item, as
// rows/s, against the ceiling of the same store: the same number of inbox
// rows written by plain multi-row INSERTs, 1,000 per transaction, with
// nothing else to do. "x_ceiling" is fan-out rows/s ÷ ceiling rows/s.
func BenchmarkNotifyFanout(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_FANOUT_N")); err == nil && v > 0 {
		n = v
	}
	for _, s := range moduletest.Stores(b) {
		b.Run(s.Name, func(b *testing.B) {
			ctx := context.Background()
			h := moduletest.NewHarness(b, s)
			cfg := notify.DefaultConfig()
			cfg.FanoutDelay, cfg.PollInterval = 0, 10*time.Millisecond
			svc, err := notify.New(ctx, cfg, h.Deps)
			if err != nil {
				b.Fatal(err)
			}
			h.Start(b, svc)
			d, err := db.Open(ctx, h.Deps.DB, db.Options{Service: "notify", DataDir: h.Deps.DataDir, Schema: h.Deps.DBSchema})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			author := uuid.NewString()
			users := make([]string, n)
			for i := range users {
				users[i] = uuid.NewString()
			}
			insertBatches(b, d, n, func(i int) (string, []any) {
				return "(?, 'author', ?)", []any{users[i], author}
			}, "INSERT INTO follows (user_id, target_type, target_id) VALUES ")
			var fanout, ceiling time.Duration
			for i := 0; i < b.N; i++ {
				// Ceiling: the same rows, written as fast as the store takes them.
				key := "raw:" + uuid.NewString()
				now := time.Now().UTC()
				start := time.Now()
				insertBatches(b, d, n, func(j int) (string, []any) {
					return "(?, ?, 'media.published', 'New: x', 'x', 'media/x', ?, ?)", []any{uuid.Must(uuid.NewV7()).String(), users[j], key, now}
				}, "INSERT INTO notifications (id, user_id, type, title, body, subject, source_key, created_at) VALUES ")
				ceiling += time.Since(start)

				media := uuid.NewString()
				data, _ := json.Marshal(map[string]any{"id": media, "title": "Bench", "kind": "video", "status": "published",
					"author_ids": []string{author}, "category_ids": []string{}, "tags": []string{}, "version": 1})
				e := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: "catalog.media.published.v1", Source: "/alexandria/catalog",
					Subject: "media/" + media, Key: media, Time: time.Now().UTC(), Data: data}
				start = time.Now()
				if err := h.Deps.Bus.Publisher().Publish(bus.Topic("catalog"), e.Message()); err != nil {
					b.Fatal(err)
				}
				for {
					var done []bool
					if err := d.NewRaw("SELECT done FROM fanout_jobs WHERE media_id = ?", media).Scan(ctx, &done); err != nil {
						b.Fatal(err)
					}
					if len(done) == 1 && done[0] {
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
				fanout += time.Since(start)
				var count []int64
				if err := d.NewRaw("SELECT COUNT(*) FROM notifications WHERE source_key = ?", "published:"+media).Scan(ctx, &count); err != nil {
					b.Fatal(err)
				}
				if count[0] != int64(n) {
					b.Fatalf("fan-out wrote %d inbox rows, want %d", count[0], n)
				}
			}
			rows := float64(n) * float64(b.N)
			fo, ce := rows/fanout.Seconds(), rows/ceiling.Seconds()
			b.ReportMetric(fo, "fanout_rows/s")
			b.ReportMetric(ce, "ceiling_rows/s")
			b.ReportMetric(fo/ce, "x_ceiling")
		})
	}
}

// insertBatches writes n rows, 1,000 per statement and transaction.
func insertBatches(b *testing.B, d *db.DB, n int, row func(i int) (string, []any), prefix string) {
	b.Helper()
	ctx := context.Background()
	for lo := 0; lo < n; lo += 1000 {
		hi := min(lo+1000, n)
		var sb strings.Builder
		args := make([]any, 0, (hi-lo)*8)
		for i := lo; i < hi; i++ {
			tuple, a := row(i)
			if i > lo {
				sb.WriteString(", ")
			}
			sb.WriteString(tuple)
			args = append(args, a...)
		}
		tx, err := d.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.NewRaw(prefix+sb.String(), args...).Exec(ctx); err != nil {
			_ = tx.Rollback()
			b.Fatal(fmt.Errorf("batch at %d: %w", lo, err))
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNotifySSEStreams holds 1,000 notification streams open in one
// process and reports the memory and goroutines per stream (both ends: the
// clients run in this process too, so this is an upper bound for the
// server), and how long one published item takes to reach all 1,000.
func BenchmarkNotifySSEStreams(b *testing.B) {
	const streams = 1000
	ctx := context.Background()
	h := moduletest.NewHarness(b, moduletest.Stores(b)[0])
	cfg := notify.DefaultConfig()
	cfg.FanoutDelay, cfg.PollInterval, cfg.StreamPoll = 0, 10*time.Millisecond, 5*time.Second
	svc, err := notify.New(ctx, cfg, h.Deps)
	if err != nil {
		b.Fatal(err)
	}
	h.Start(b, svc)
	author := uuid.NewString()
	users := make([]string, streams)
	for i := range users {
		users[i] = uuid.NewString()
		data, _ := json.Marshal(map[string]any{"user_id": users[i], "target_type": "author", "target_id": author, "at": time.Now()})
		e := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: "engagement.follow.created.v1", Source: "/alexandria/engagement",
			Subject: "user/" + users[i], Key: users[i], Time: time.Now().UTC(), Data: data}
		if err := h.Deps.Bus.Publisher().Publish(bus.Topic("engagement"), e.Message()); err != nil {
			b.Fatal(err)
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: streams, MaxConnsPerHost: 0}}
	before := memNow()
	got := make(chan struct{}, streams)
	var bodies []io.Closer
	for _, u := range users {
		req, _ := http.NewRequestWithContext(ctx, "GET", h.Server.URL+"/v1/users/me/notifications/stream", nil)
		req.Header.Set("Authorization", "Bearer "+h.Issuer.Token(u, "reader"))
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		bodies = append(bodies, resp.Body)
		go func() {
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "data: ") {
					got <- struct{}{}
				}
			}
		}()
	}
	defer func() {
		for _, c := range bodies {
			_ = c.Close()
		}
	}()
	after := memNow()
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		media := uuid.NewString()
		data, _ := json.Marshal(map[string]any{"id": media, "title": "Live", "kind": "video", "status": "published",
			"author_ids": []string{author}, "category_ids": []string{}, "tags": []string{}, "version": 1})
		e := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: "catalog.media.published.v1", Source: "/alexandria/catalog",
			Subject: "media/" + media, Key: media, Time: time.Now().UTC(), Data: data}
		start := time.Now()
		if err := h.Deps.Bus.Publisher().Publish(bus.Topic("catalog"), e.Message()); err != nil {
			b.Fatal(err)
		}
		for range streams {
			select {
			case <-got:
			case <-time.After(60 * time.Second):
				b.Fatal("not every stream got the item")
			}
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms_to_all_streams")
	b.ReportMetric(float64(after.heap-before.heap)/streams, "heap_B/stream")
	b.ReportMetric(float64(after.goroutines-before.goroutines)/streams, "goroutines/stream")
}

type mem struct {
	heap       uint64
	goroutines int
}

func memNow() mem {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return mem{heap: m.HeapInuse + m.StackInuse, goroutines: runtime.NumGoroutine()}
}

// BenchmarkNotifyWebhooks: 1,000 queued webhook deliveries sent by the
// worker (claim, sign, POST, record) against the ceiling of the same
// signed POSTs sent one after another by a bare loop to the same receiver.
func BenchmarkNotifyWebhooks(b *testing.B) {
	const n = 1000
	ctx := context.Background()
	var received atomic.Int64
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		received.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	h := moduletest.NewHarness(b, moduletest.Stores(b)[0])
	cfg := notify.DefaultConfig()
	cfg.PollInterval, cfg.WebhookAllow = 10*time.Millisecond, "127.0.0.1"
	svc, err := notify.New(ctx, cfg, h.Deps)
	if err != nil {
		b.Fatal(err)
	}
	h.Start(b, svc)
	author, member := uuid.NewString(), uuid.NewString()
	data, _ := json.Marshal(map[string]any{"author_id": author, "user_id": member, "role": "owner"})
	e := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: "catalog.author.member.added.v1", Source: "/alexandria/catalog",
		Subject: "author/" + author, Key: author, Time: time.Now().UTC(), Data: data}
	if err := h.Deps.Bus.Publisher().Publish(bus.Topic("catalog"), e.Message()); err != nil {
		b.Fatal(err)
	}
	token := h.Issuer.Token(member, "reader")
	const secret = "bench-webhook-secret-0123456789"
	var hookID string
	for deadline := time.Now().Add(10 * time.Second); hookID == ""; {
		body := fmt.Sprintf(`{"author_id":%q,"url":%q,"event_types":["media.published"],"secret":%q}`, author, rcv.URL, secret)
		req, _ := http.NewRequestWithContext(ctx, "POST", h.Server.URL+"/v1/webhooks", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out struct{ ID string }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		hookID = out.ID
		if hookID == "" {
			if time.Now().After(deadline) {
				b.Fatal("webhook not registered")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	d, err := db.Open(ctx, h.Deps.DB, db.Options{Service: "notify", DataDir: h.Deps.DataDir, Schema: h.Deps.DBSchema})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	payload := `{"type":"media.published","timestamp":"2026-12-02T00:00:00Z","data":{"media_id":"x","title":"Bench"}}`
	var worker, ceiling time.Duration
	for i := 0; i < b.N; i++ {
		received.Store(0)
		now := time.Now().UTC()
		start := time.Now()
		insertBatches(b, d, n, func(j int) (string, []any) {
			return "(?, ?, ?, 'media.published', ?, 'pending', ?, ?)", []any{uuid.Must(uuid.NewV7()).String(), hookID, uuid.NewString(), payload, now, now}
		}, "INSERT INTO webhook_deliveries (id, webhook_id, event_key, event_type, payload, state, next_at, created_at) VALUES ")
		for received.Load() < n {
			time.Sleep(2 * time.Millisecond)
		}
		worker += time.Since(start)

		received.Store(0)
		client := &http.Client{Timeout: 10 * time.Second}
		start = time.Now()
		for j := 0; j < n; j++ {
			id, ts := uuid.NewString(), strconv.FormatInt(time.Now().Unix(), 10)
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write([]byte(id + "." + ts + "." + payload))
			req, _ := http.NewRequestWithContext(ctx, "POST", rcv.URL, strings.NewReader(payload))
			req.Header.Set("webhook-id", id)
			req.Header.Set("webhook-timestamp", ts)
			req.Header.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		ceiling += time.Since(start)
	}
	wr, cr := float64(n*b.N)/worker.Seconds(), float64(n*b.N)/ceiling.Seconds()
	b.ReportMetric(wr, "worker_deliveries/s")
	b.ReportMetric(cr, "ceiling_posts/s")
	b.ReportMetric(wr/cr, "x_ceiling")
}

// smtpSink is a minimal SMTP server counting accepted messages.
func smtpSink(b *testing.B) (string, *atomic.Int64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	var count atomic.Int64
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				r := bufio.NewReader(conn)
				say := func(s string) { _, _ = io.WriteString(conn, s+"\r\n") }
				say("220 sink")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"):
						say("250-sink")
						say("250 8BITMIME")
					case cmd == "DATA":
						say("354 go on")
						for {
							l, err := r.ReadString('\n')
							if err != nil || l == ".\r\n" {
								break
							}
						}
						count.Add(1)
						say("250 queued")
					case cmd == "QUIT":
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), &count
}

// BenchmarkNotifyEmail: 500 queued e-mail deliveries sent by the worker
// through SMTP (one connection per mail, as go-mail's DialAndSend does)
// against the ceiling of the same messages sent by go-mail from a bare loop.
func BenchmarkNotifyEmail(b *testing.B) {
	const n = 500
	ctx := context.Background()
	addr, received := smtpSink(b)
	h := moduletest.NewHarness(b, moduletest.Stores(b)[0])
	cfg := notify.DefaultConfig()
	cfg.PollInterval, cfg.SMTPURL = 10*time.Millisecond, "smtp://"+addr
	svc, err := notify.New(ctx, cfg, h.Deps)
	if err != nil {
		b.Fatal(err)
	}
	h.Start(b, svc)
	d, err := db.Open(ctx, h.Deps.DB, db.Options{Service: "notify", DataDir: h.Deps.DataDir, Schema: h.Deps.DBSchema})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	users := make([]string, n)
	for i := range users {
		users[i] = uuid.NewString()
	}
	insertBatches(b, d, n, func(i int) (string, []any) {
		return "(?, ?, '', 1)", []any{users[i], "u" + strconv.Itoa(i) + "@example.test"}
	}, "INSERT INTO users (id, email, display_name, version) VALUES ")
	host, portText, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portText)
	var worker, ceiling time.Duration
	for i := 0; i < b.N; i++ {
		received.Store(0)
		now := time.Now().UTC()
		ids := make([]string, n)
		for j := range ids {
			ids[j] = uuid.Must(uuid.NewV7()).String()
		}
		insertBatches(b, d, n, func(j int) (string, []any) {
			return "(?, ?, 'media.processed', 'Ready: bench', 'Bench was processed.', 'media/x', ?, ?)", []any{ids[j], users[j], "bench:" + ids[j], now}
		}, "INSERT INTO notifications (id, user_id, type, title, body, subject, source_key, created_at) VALUES ")
		start := time.Now()
		insertBatches(b, d, n, func(j int) (string, []any) {
			return "(?, ?, ?, 'email', 'pending', ?, ?)", []any{uuid.Must(uuid.NewV7()).String(), ids[j], users[j], now, now}
		}, "INSERT INTO deliveries (id, notification_id, user_id, channel, state, next_at, created_at) VALUES ")
		for received.Load() < n {
			time.Sleep(2 * time.Millisecond)
		}
		worker += time.Since(start)

		received.Store(0)
		start = time.Now()
		for j := 0; j < n; j++ {
			msg := mail.NewMsg()
			_ = msg.From("notifications@alexandria.localhost")
			_ = msg.To("u" + strconv.Itoa(j) + "@example.test")
			msg.Subject("Ready: bench")
			msg.SetBodyString(mail.TypeTextPlain, "Bench was processed.")
			msg.AddAlternativeString(mail.TypeTextHTML, "<p>Bench was processed.</p>")
			c, err := mail.NewClient(host, mail.WithPort(port), mail.WithTLSPolicy(mail.TLSOpportunistic))
			if err != nil {
				b.Fatal(err)
			}
			if err := c.DialAndSendWithContext(ctx, msg); err != nil {
				b.Fatal(err)
			}
		}
		ceiling += time.Since(start)
	}
	wr, cr := float64(n*b.N)/worker.Seconds(), float64(n*b.N)/ceiling.Seconds()
	b.ReportMetric(wr, "worker_mails/s")
	b.ReportMetric(cr, "ceiling_mails/s")
	b.ReportMetric(wr/cr, "x_ceiling")
}
