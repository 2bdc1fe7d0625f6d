package e2e

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
)

// The notify target on the real binary: follow → publish → an inbox entry,
// an SSE event, a mail in an SMTP server run by the test, and a signed
// webhook the test verifies.

func TestNotifyJourney(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	smtp := startMailSink(t)
	hook := startHookSink(t, "e2e-webhook-secret-0123456789")
	d := single(t, []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_FORMAT=json",
		"ALEXANDRIA_NOTIFY_SMTP_URL=smtp://" + smtp.addr, "ALEXANDRIA_NOTIFY_WEBHOOK_ALLOW=127.0.0.1",
		"ALEXANDRIA_NOTIFY_POLL_INTERVAL=50ms", "ALEXANDRIA_NOTIFY_STREAM_POLL=100ms"})
	base := d.URL()
	anon := client.New(base, nil)
	tok, err := anon.Login(ctx, adminEmail, adminPassword)
	must(t, err)
	admin := anon.WithToken(tok.AccessToken)
	adminBearer := "Bearer " + tok.AccessToken
	_, err = anon.Register(ctx, "follower@example.org", passwordOf("follower@example.org"), "Follower")
	must(t, err)
	ftok, err := anon.Login(ctx, "follower@example.org", passwordOf("follower@example.org"))
	must(t, err)
	follower := "Bearer " + ftok.AccessToken

	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Notified"})
	must(t, err)
	// The creator is a member: notify learns it and mails them.
	msg := smtp.await(t, adminEmail, "You were added to an author")
	if !strings.Contains(msg, "You were added to an author") || !strings.Contains(msg, "List-Unsubscribe-Post: List-Unsubscribe=One-Click") {
		t.Fatalf("member mail:\n%s", msg)
	}
	within(t, "the author is followable", func() bool {
		s, _ := engagementJSON(t, "PUT", base+"/v1/users/me/follows/author/"+author.ID, follower, "")
		return s == http.StatusOK
	})
	// The follower wants new items by mail too.
	if s, body := engagementJSON(t, "PUT", base+"/v1/users/me/notification-preferences", follower,
		`{"preferences":[{"type":"media.published","channel":"email","enabled":true}]}`); s != 200 {
		t.Fatalf("preferences: %d %v", s, body)
	}
	within(t, "webhook registered", func() bool {
		s, _ := engagementJSON(t, "POST", base+"/v1/webhooks", adminBearer,
			fmt.Sprintf(`{"author_id":%q,"url":%q,"event_types":["media.published"],"secret":%q}`, author.ID, hook.srv.URL, hook.secret))
		return s == http.StatusCreated
	})
	events := openStream(ctx, t, base, follower)

	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Big news", Kind: "podcast", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)
	published := "published"
	_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, "")
	must(t, err)

	var ev string
	select {
	case ev = <-events:
	case <-time.After(30 * time.Second):
		t.Fatal("no SSE event")
	}
	if !strings.Contains(ev, m.ID) || !strings.Contains(ev, "Big news") {
		t.Fatalf("SSE event %s", ev)
	}
	_, body := engagementJSON(t, "GET", base+"/v1/users/me/notifications", follower, "")
	items := listOf(body)
	if len(items) != 1 || items[0]["type"] != "media.published" || items[0]["subject"] != "media/"+m.ID {
		t.Fatalf("inbox %v", body)
	}
	if s, body := engagementJSON(t, "GET", base+"/v1/users/me/notifications/unread-count", follower, ""); s != 200 || body["unread"] != float64(1) {
		t.Fatalf("unread %d %v", s, body)
	}
	if mail := smtp.await(t, "follower@example.org", "New: Big news"); !strings.Contains(mail, "List-Unsubscribe") {
		t.Fatalf("follower mail:\n%s", mail)
	}
	got := hook.await(t)
	if !strings.Contains(got, m.ID) || !strings.Contains(got, `"type":"media.published"`) {
		t.Fatalf("webhook body %s", got)
	}
}

// openStream reads the SSE stream's data lines onto a channel.
func openStream(ctx context.Context, t *testing.T, base, bearer string) <-chan string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/v1/users/me/notifications/stream", nil)
	must(t, err)
	req.Header.Set("Authorization", bearer)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	if resp.StatusCode != 200 {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	t.Cleanup(func() { resp.Body.Close() })
	out := make(chan string, 10)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "retry:") {
				close(ready)
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				out <- data
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("stream did not open")
	}
	return out
}

// mailSink is a minimal SMTP server keeping the last message per recipient.
type mailSink struct {
	addr string
	mu   sync.Mutex
	got  map[string][]string // every message by recipient, oldest first
}

func startMailSink(t *testing.T) *mailSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { ln.Close() })
	s := &mailSink{addr: ln.Addr().String(), got: map[string][]string{}}
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

func (s *mailSink) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(line string) { _, _ = io.WriteString(conn, line+"\r\n") }
	say("220 sink ESMTP")
	var rcpt string
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
		case strings.HasPrefix(cmd, "RCPT TO:"):
			rcpt = strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>")
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.got[rcpt] = append(s.got[rcpt], b.String())
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

// await returns the newest message to rcpt that contains every one of
// want, waiting for it.
func (s *mailSink) await(t *testing.T, rcpt string, want ...string) string {
	t.Helper()
	var msg string
	within(t, "a mail to "+rcpt+" with "+strings.Join(want, ", "), func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
	messages:
		for i := len(s.got[rcpt]) - 1; i >= 0; i-- {
			for _, w := range want {
				if !strings.Contains(s.got[rcpt][i], w) {
					continue messages
				}
			}
			msg = s.got[rcpt][i]
			return true
		}
		return false
	})
	return msg
}

// hookSink verifies Standard-Webhooks signatures and keeps verified bodies.
type hookSink struct {
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	bodies []string
}

func startHookSink(t *testing.T, secret string) *hookSink {
	h := &hookSink{secret: secret}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(h.secret))
		fmt.Fprintf(mac, "%s.%s.%s", r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), body)
		if r.Header.Get("webhook-signature") != "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h.mu.Lock()
		h.bodies = append(h.bodies, string(body))
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookSink) await(t *testing.T) string {
	t.Helper()
	var out string
	within(t, "a signed webhook", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.bodies) > 0 {
			out = h.bodies[0]
		}
		return out != ""
	})
	return out
}

// TestNotifyFanoutSurvivesSIGKILL: 20,000 followers, fan-out pages of 100;
// the process is killed with SIGKILL in the middle of the fan-out and
// started again: every follower ends with exactly one inbox entry.
func TestNotifyFanoutSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dataDir := filepath.Join(t.TempDir(), "data")
	env := []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + dataDir,
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_LEVEL=warn",
		"ALEXANDRIA_NOTIFY_FANOUT_BATCH=100", "ALEXANDRIA_NOTIFY_FANOUT_DELAY=0s", "ALEXANDRIA_NOTIFY_POLL_INTERVAL=50ms"}
	p := start(t, env)
	admin := signIn(ctx, t, client.New(p.URL, nil), adminEmail, adminPassword)
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Popular"})
	must(t, err)

	// The audience, written into notify's read model as its consumer would.
	store, err := db.Open(ctx, db.Config{}, db.Options{Service: "notify", DataDir: dataDir})
	must(t, err)
	defer store.Close()
	const followers = 20_000
	for lo := 0; lo < followers; lo += 500 {
		var sb strings.Builder
		args := make([]any, 0, 1000)
		for i := lo; i < lo+500; i++ {
			if i > lo {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, 'author', ?)")
			args = append(args, uuid.NewString(), author.ID)
		}
		_, err := store.NewRaw("INSERT INTO follows (user_id, target_type, target_id) VALUES "+sb.String(), args...).Exec(ctx)
		must(t, err)
	}
	count := func() (rows, users int) {
		var n []struct {
			Rows  int `bun:"rows"`
			Users int `bun:"users"`
		}
		must(t, store.NewRaw("SELECT COUNT(*) AS rows, COUNT(DISTINCT user_id) AS users FROM notifications WHERE type = 'media.published'").Scan(ctx, &n))
		return n[0].Rows, n[0].Users
	}

	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Hit", Kind: "podcast", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)
	published := "published"
	_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, "")
	must(t, err)
	within(t, "the fan-out under way", func() bool { r, _ := count(); return r > 0 })
	p.kill()
	if r, _ := count(); r >= followers {
		t.Skipf("the fan-out finished before the kill (%d rows): the machine was too fast for this test", r)
	}
	killedAt, _ := count()
	start(t, env) // the restarted process (stopped at cleanup)
	within(t, "the fan-out finished after the restart", func() bool { r, _ := count(); return r >= followers })
	rows, users := count()
	if rows != followers || users != followers {
		t.Fatalf("after a SIGKILL at %d rows: %d inbox rows for %d users, want %d each", killedAt, rows, users, followers)
	}
	t.Logf("killed at %d of %d inbox rows; after the restart %d rows, %d users", killedAt, followers, rows, users)
}
