package notify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// Component tests: notify behind the production middleware, over HTTP, on
// SQLite and PostgreSQL, fed the other services' events through the bus.

type api struct {
	t      *testing.T
	h      *moduletest.Harness
	svc    *Service
	tokens map[string]string
}

func startNotify(t *testing.T, s moduletest.Store, tune func(*Config)) *api {
	t.Helper()
	h := moduletest.NewHarness(t, s)
	cfg := DefaultConfig()
	cfg.PollInterval, cfg.StreamPoll, cfg.RetryBase = 20*time.Millisecond, 50*time.Millisecond, 20*time.Millisecond
	cfg.StreamHeartbeat, cfg.FanoutDelay = 200*time.Millisecond, 0
	if tune != nil {
		tune(&cfg)
	}
	svc, err := New(context.Background(), cfg, h.Deps)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, svc)
	return &api{t: t, h: h, svc: svc, tokens: map[string]string{}}
}

func forEachServer(t *testing.T, tune func(*Config), fn func(t *testing.T, c *api)) {
	t.Helper()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, startNotify(t, s, tune))
		})
	}
}

func (c *api) user() string {
	id := uuid.NewString()
	c.tokens[id] = c.h.Issuer.Token(id, "reader")
	return id
}

type reply struct {
	status int
	body   map[string]any
	raw    string
}

func (r reply) items() []map[string]any {
	list, _ := r.body["items"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		out = append(out, it.(map[string]any))
	}
	return out
}

func (c *api) call(method, path, user string, body any) reply {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, c.h.Server.URL+path, r)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := reply{status: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func (c *api) expect(status int, method, path, user string, body any) reply {
	c.t.Helper()
	r := c.call(method, path, user, body)
	if r.status != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.raw)
	}
	return r
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (c *api) publish(service, typ, key string, data map[string]any) {
	c.t.Helper()
	b, _ := json.Marshal(data)
	e := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, Source: "/alexandria/" + service, Subject: key,
		Key: key, Time: time.Now().UTC(), Data: b}
	if err := c.h.Deps.Bus.Publisher().Publish(bus.Topic(service), e.Message()); err != nil {
		c.t.Fatal(err)
	}
}

// publishID publishes an event with a given ID (a redelivery).
func (c *api) publishID(id, service, typ, key string, data []byte) {
	c.t.Helper()
	e := bus.Event{ID: id, Type: typ, Source: "/alexandria/" + service, Subject: key, Key: key, Time: time.Now().UTC(), Data: data}
	if err := c.h.Deps.Bus.Publisher().Publish(bus.Topic(service), e.Message()); err != nil {
		c.t.Fatal(err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (c *api) follow(user, typ, id string) {
	c.publish("engagement", eventFollowCreated, user, map[string]any{"user_id": user, "target_type": typ, "target_id": id, "at": time.Now()})
}

func (c *api) media(typ, id, status string, version int64, authors, tags []string) {
	c.publish("catalog", typ, id, map[string]any{"id": id, "title": "Item " + id[:8], "kind": "video", "status": status,
		"author_ids": authors, "category_ids": []string{}, "tags": tags, "version": version})
}

func (c *api) inbox(user, query string) []map[string]any {
	c.t.Helper()
	return c.expect(200, "GET", "/v1/users/me/notifications"+query, user, nil).items()
}

// sse reads a stream's events on a channel.
type sseEvent struct{ id, event, data string }

func (c *api) stream(user, lastID string) (<-chan sseEvent, func()) {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", c.h.Server.URL+"/v1/users/me/notifications/stream", nil)
	req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		c.t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 100)
	ready := make(chan struct{})
	go func() {
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "retry:"):
				close(ready)
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			case line == "" && ev.id != "":
				out <- ev
				ev = sseEvent{}
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		c.t.Fatal("stream did not start")
	}
	return out, func() { cancel(); resp.Body.Close() }
}

func next(t *testing.T, ch <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("stream closed")
		}
		return ev
	case <-time.After(30 * time.Second): // fan-out is a job: slow on a busy machine
		t.Fatal("no stream event")
	}
	return sseEvent{}
}

func TestFollowPublishInboxStreamAndMail(t *testing.T) {
	forEachServer(t, nil, func(t *testing.T, c *api) {
		author := uuid.NewString()
		member, fan, tagFan, other := c.user(), c.user(), c.user(), c.user()
		c.publish("identity", eventUserRegistered, member, map[string]any{"id": member, "email": "member@example.test", "display_name": "M", "version": 1})
		c.publish("catalog", eventMemberAdded, author, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		c.follow(fan, "author", author)
		c.follow(tagFan, "tag", "go")
		eventually(t, "member notified", func() bool { return len(c.inbox(member, "")) == 1 })

		events, stop := c.stream(fan, "")
		defer stop()
		item := uuid.NewString()
		c.media(eventMediaCreated, item, "draft", 1, []string{author}, []string{"go"})
		c.media(eventMediaPublished, item, "published", 2, []string{author}, []string{"go"})

		ev := next(t, events)
		if ev.event != "notification" || !strings.Contains(ev.data, item) {
			t.Fatalf("stream event %+v", ev)
		}
		eventually(t, "both followers notified", func() bool { return len(c.inbox(tagFan, "")) == 1 && len(c.inbox(fan, "")) == 1 })
		got := c.inbox(fan, "")[0]
		if got["id"] != ev.id || got["type"] != "media.published" || got["subject"] != "media/"+item || got["read_at"] != nil {
			t.Fatalf("inbox entry %v, stream id %s", got, ev.id)
		}
		if n := len(c.inbox(other, "")); n != 0 {
			t.Fatalf("a non-follower got %d notifications", n)
		}
		// Publishing again (a later version) notifies nobody twice.
		c.media(eventMediaPublished, item, "published", 3, []string{author}, []string{"go"})
		second := uuid.NewString()
		c.media(eventMediaPublished, second, "published", 1, []string{author}, nil)
		ev2 := next(t, events)
		if !strings.Contains(ev2.data, second) {
			t.Fatalf("second stream event %+v", ev2)
		}
		if n := len(c.inbox(fan, "")); n != 2 {
			t.Fatalf("fan has %d notifications, want 2", n)
		}
		// Resuming with Last-Event-ID replays what came after it.
		resumed, stop2 := c.stream(fan, ev.id)
		defer stop2()
		if r := next(t, resumed); r.id != ev2.id {
			t.Fatalf("resumed stream gave %s, want %s", r.id, ev2.id)
		}

		// Read state.
		if n := c.expect(200, "GET", "/v1/users/me/notifications/unread-count", fan, nil).body["unread"]; n != float64(2) {
			t.Fatalf("unread %v", n)
		}
		c.expect(204, "POST", "/v1/users/me/notifications/"+ev.id+"/read", fan, nil)
		c.expect(404, "POST", "/v1/users/me/notifications/"+ev.id+"/read", other, nil)
		c.expect(404, "POST", "/v1/users/me/notifications/not-an-id/read", fan, nil)
		if unread := c.inbox(fan, "?unread_only=true"); len(unread) != 1 || unread[0]["id"] != ev2.id {
			t.Fatalf("unread only: %v", unread)
		}
		page := c.expect(200, "GET", "/v1/users/me/notifications?page_size=1", fan, nil)
		tok, _ := page.body["next_page_token"].(string)
		if p2 := c.inbox(fan, "?page_size=1&page_token="+url.QueryEscape(tok)); len(p2) != 1 || p2[0]["id"] != ev.id {
			t.Fatalf("second page %v", p2)
		}
		c.expect(422, "GET", "/v1/users/me/notifications?page_token=zzz", fan, nil)
		if m := c.expect(200, "POST", "/v1/users/me/notifications/read-all", fan, nil).body["marked"]; m != float64(1) {
			t.Fatalf("read-all marked %v", m)
		}
		c.expect(401, "GET", "/v1/users/me/notifications", "", nil)

		// Processing failed: the member gets it in the inbox and by e-mail.
		c.publish("processing", eventMediaFailed, item, map[string]any{"media_id": item, "reason": "the file could not be read"})
		var eml string
		eventually(t, "mail written", func() bool {
			files, _ := filepath.Glob(filepath.Join(c.h.Deps.DataDir, "notify-mail", "*.eml"))
			for _, f := range files {
				if b, _ := os.ReadFile(f); strings.Contains(string(b), "Processing failed") {
					eml = string(b)
				}
			}
			return eml != ""
		})
		for _, want := range []string{"To: <member@example.test>", "Processing failed: Item ", "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
			"multipart/alternative", "text/html", "text/plain"} {
			if !strings.Contains(eml, want) {
				t.Fatalf("mail lacks %q:\n%s", want, eml)
			}
		}
		// The fan got no mail (media.published mails are off by default).
		link := regexp.MustCompile(`List-Unsubscribe:\s*<([^>]+)>`).FindStringSubmatch(eml)
		if link == nil {
			t.Fatalf("no unsubscribe link:\n%s", eml)
		}
		u, _ := url.Parse(link[1])
		token := u.Query().Get("token")
		// Another user's link: the signed user ID swapped for another's.
		p, sig, _ := strings.Cut(token, ".")
		forged := strings.Replace(string(mustB64(t, p)), member, other, 1)
		c.expect(422, "POST", "/v1/notifications/unsubscribe?token="+url.QueryEscape(b64(forged)+"."+sig), "", nil)
		c.expect(422, "POST", "/v1/notifications/unsubscribe?token=garbage", "", nil)
		c.expect(204, "POST", "/v1/notifications/unsubscribe?token="+url.QueryEscape(token), "", nil)
		prefs := c.expect(200, "GET", "/v1/users/me/notification-preferences", member, nil).body["preferences"].([]any)
		for _, p := range prefs {
			m := p.(map[string]any)
			if m["type"] == "media.failed" && m["channel"] == "email" && m["enabled"] != false {
				t.Fatalf("unsubscribe did not turn the mail off: %v", m)
			}
		}
		otherPrefs := c.expect(200, "GET", "/v1/users/me/notification-preferences", other, nil).body["preferences"].([]any)
		for _, p := range otherPrefs {
			if m := p.(map[string]any); m["type"] == "media.failed" && m["channel"] == "email" && m["enabled"] != true {
				t.Fatalf("another user's preferences changed: %v", m)
			}
		}
	})
}

func TestPreferences(t *testing.T) {
	forEachServer(t, nil, func(t *testing.T, c *api) {
		u := c.user()
		r := c.expect(422, "PUT", "/v1/users/me/notification-preferences", u, map[string]any{"preferences": []any{
			map[string]any{"type": "media.published", "channel": "email", "enabled": true},
			map[string]any{"type": "nope", "channel": "email", "enabled": true}}})
		if !strings.Contains(r.raw, "body.preferences[1]") {
			t.Fatalf("no field in %s", r.raw)
		}
		c.expect(422, "PUT", "/v1/users/me/notification-preferences", u, map[string]any{"preferences": []any{}, "extra": 1})
		r = c.expect(200, "PUT", "/v1/users/me/notification-preferences", u, map[string]any{"preferences": []any{
			map[string]any{"type": "media.published", "channel": "email", "enabled": true}}})
		found := false
		for _, p := range r.body["preferences"].([]any) {
			m := p.(map[string]any)
			found = found || (m["type"] == "media.published" && m["channel"] == "email" && m["enabled"] == true)
		}
		if !found {
			t.Fatalf("preference not stored: %s", r.raw)
		}
	})
}

// TestFanoutInPagesIsIdempotent: a fan-out bigger than one page fills every
// inbox once, and a page worked again after a crash adds nothing.
func TestFanoutInPagesIsIdempotent(t *testing.T) {
	forEachServer(t, func(c *Config) { c.FanoutBatch = 7 }, func(t *testing.T, c *api) {
		author := uuid.NewString()
		fans := make([]string, 50)
		for i := range fans {
			fans[i] = c.user()
			c.follow(fans[i], "author", author)
		}
		ctx := context.Background()
		countOf := func(table string) int64 {
			var n []int64
			if err := c.svc.db.NewRaw("SELECT COUNT(*) FROM "+table).Scan(ctx, &n); err != nil {
				t.Fatal(err)
			}
			return n[0]
		}
		count := func() int64 { return countOf("notifications") }
		eventually(t, "follows known", func() bool { return countOf("follows") == 50 })
		item := uuid.NewString()
		c.media(eventMediaPublished, item, "published", 1, []string{author}, nil)
		eventually(t, "fan-out done", func() bool {
			n, err := c.svc.store.pendingFanouts(ctx)
			return err == nil && n == 0 && count() == 50
		})
		for _, f := range fans[:3] {
			if len(c.inbox(f, "")) != 1 {
				t.Fatalf("fan %s has no entry", f)
			}
		}
		// Crash replay: the job is set back to its start and worked again.
		if _, err := c.svc.db.NewRaw("UPDATE fanout_jobs SET cursor = '', done = FALSE").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		c.svc.wakeFanout()
		eventually(t, "replayed fan-out done", func() bool { n, _ := c.svc.store.pendingFanouts(ctx); return n == 0 })
		if n := count(); n != 50 {
			t.Fatalf("%d notifications after the replay, want 50", n)
		}
	})
}

// TestSMTPDelivery sends through an SMTP server running in the test.
func TestSMTPDelivery(t *testing.T) {
	srv := newSMTPServer(t)
	forEachServer(t, func(c *Config) { c.SMTPURL = "smtp://" + srv.addr }, func(t *testing.T, c *api) {
		author, member := uuid.NewString(), c.user()
		addr := member[:8] + "@example.test"
		c.publish("identity", eventUserRegistered, member, map[string]any{"id": member, "email": addr, "display_name": "M", "version": 1})
		c.publish("catalog", eventMemberAdded, author, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		msg := srv.await(t, addr)
		for _, want := range []string{"You were added to an author", "List-Unsubscribe-Post: List-Unsubscribe=One-Click", "text/html"} {
			if !strings.Contains(msg, want) {
				t.Fatalf("message lacks %q:\n%s", want, msg)
			}
		}
	})
}

type smtpServer struct {
	addr   string
	mu     sync.Mutex
	got    map[string]string
	counts map[string]int
}

// forget drops the message kept for rcpt (and its count).
func (s *smtpServer) forget(rcpt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.got, rcpt)
	delete(s.counts, rcpt)
}

// count is how many messages rcpt got since the start (or forget).
func (s *smtpServer) count(rcpt string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[rcpt]
}

// newSMTPServer answers just enough SMTP (EHLO, MAIL, RCPT, DATA, QUIT)
// and keeps each message by recipient.
func newSMTPServer(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &smtpServer{addr: ln.Addr().String(), got: map[string]string{}, counts: map[string]int{}}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(line string) { _, _ = conn.Write([]byte(line + "\r\n")) }
	say("220 test ESMTP")
	var rcpt string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-test")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			rcpt = strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>")
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.got[rcpt] = b.String()
			s.counts[rcpt]++
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *smtpServer) await(t *testing.T, rcpt string) string {
	t.Helper()
	var msg string
	eventually(t, "mail to "+rcpt, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		msg = s.got[rcpt]
		return msg != ""
	})
	return msg
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func mustB64(t *testing.T, s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDrainEndsStreams: at shutdown the open streams end at once.
func TestDrainEndsStreams(t *testing.T) {
	forEachServer(t, nil, func(t *testing.T, c *api) {
		u := c.user()
		events, stop := c.stream(u, "")
		defer stop()
		c.svc.Drain()
		select {
		case _, open := <-events:
			if open {
				t.Fatal("an event instead of the end of the stream")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the stream is still open after Drain")
		}
	})
}
