package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// receiver is a webhook endpoint that verifies signatures as a consumer
// would, and can be told to fail.
type receiver struct {
	srv    *httptest.Server
	secret []byte
	mu     sync.Mutex
	got    []string // verified bodies
	bad    int      // requests with a wrong signature
	fail   bool
}

func newReceiver(t *testing.T, secret string) *receiver {
	r := &receiver{secret: []byte(secret)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		id, ts := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp")
		mac := hmac.New(sha256.New, r.secret)
		fmt.Fprintf(mac, "%s.%s.%s", id, ts, body)
		want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
		sec, _ := strconv.ParseInt(ts, 10, 64)
		r.mu.Lock()
		defer r.mu.Unlock()
		if req.Header.Get("webhook-signature") != want || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
			r.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.fail {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		r.got = append(r.got, string(body))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) bodies() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

func (r *receiver) setFail(v bool) { r.mu.Lock(); r.fail = v; r.mu.Unlock() }

func TestWebhooks(t *testing.T) {
	tune := func(c *Config) { c.WebhookAllow = "127.0.0.1"; c.WebhookDisableAfter = 3; c.MaxAttempts = 2 }
	forEachServer(t, tune, func(t *testing.T, c *api) {
		const secret = "a-secret-of-at-least-24-characters"
		rcv := newReceiver(t, secret)
		author, member, stranger := uuid.NewString(), c.user(), c.user()
		c.publish("catalog", eventMemberAdded, author, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		eventually(t, "member known", func() bool { return len(c.inbox(member, "")) == 1 })

		body := map[string]any{"author_id": author, "url": rcv.srv.URL + "/hook", "event_types": []string{"media.published", "media.failed"}, "secret": secret}
		c.expect(403, "POST", "/v1/webhooks", stranger, body)
		bad := map[string]any{"author_id": "x", "url": "ftp://x", "event_types": []string{"nope"}}
		r := c.expect(422, "POST", "/v1/webhooks", member, bad)
		for _, f := range []string{"body.author_id", "body.event_types"} {
			if !strings.Contains(r.raw, f) {
				t.Fatalf("no %s in %s", f, r.raw)
			}
		}
		created := c.expect(201, "POST", "/v1/webhooks", member, body)
		id := created.body["id"].(string)
		if created.body["secret"] != secret {
			t.Fatalf("create answer %s", created.raw)
		}
		if g := c.expect(200, "GET", "/v1/webhooks/"+id, member, nil); strings.Contains(g.raw, secret) {
			t.Fatalf("the secret is shown again: %s", g.raw)
		}
		c.expect(404, "GET", "/v1/webhooks/"+id, stranger, nil)
		c.expect(404, "GET", "/v1/webhooks/"+id+"/deliveries", stranger, nil)

		item := uuid.NewString()
		c.media(eventMediaPublished, item, "published", 1, []string{author}, nil)
		eventually(t, "signed webhook received", func() bool { return len(rcv.bodies()) == 1 })
		if got := rcv.bodies()[0]; !strings.Contains(got, `"type":"media.published"`) || !strings.Contains(got, item) {
			t.Fatalf("payload %s", got)
		}
		// Once per event: publishing again sends nothing new.
		c.media(eventMediaPublished, item, "published", 2, []string{author}, nil)

		// A failing endpoint: retried, logged, and the webhook disabled.
		rcv.setFail(true)
		c.publish("processing", eventMediaFailed, item, map[string]any{"media_id": item, "reason": "unreadable"})
		c.publish("processing", eventMediaFailed, item, map[string]any{"media_id": item, "reason": "unreadable again"})
		eventually(t, "webhook disabled", func() bool {
			return c.expect(200, "GET", "/v1/webhooks/"+id, member, nil).body["enabled"] == false
		})
		list := c.expect(200, "GET", "/v1/webhooks/"+id+"/deliveries", member, nil).items()
		if len(list) != 3 {
			t.Fatalf("deliveries %v", list)
		}
		var failed string
		for _, d := range list {
			if d["event_type"] == "media.failed" && d["status_code"] == float64(500) {
				failed = d["id"].(string)
			}
		}
		if failed == "" {
			t.Fatalf("no logged failure: %v", list)
		}
		rcv.setFail(false)
		c.expect(404, "POST", "/v1/webhooks/"+id+"/deliveries/"+uuid.NewString()+"/redeliver", member, nil)
		c.expect(204, "POST", "/v1/webhooks/"+id+"/deliveries/"+failed+"/redeliver", member, nil)
		eventually(t, "redelivered", func() bool { return len(rcv.bodies()) >= 2 })
		if w := c.expect(200, "GET", "/v1/webhooks/"+id, member, nil); w.body["enabled"] != true {
			t.Fatalf("redelivery did not re-enable: %s", w.raw)
		}
		rcv.mu.Lock()
		badSigs := rcv.bad
		rcv.mu.Unlock()
		if badSigs != 0 {
			t.Fatalf("%d badly signed requests", badSigs)
		}
		c.expect(204, "DELETE", "/v1/webhooks/"+id, member, nil)
		c.expect(404, "GET", "/v1/webhooks/"+id, member, nil)
	})
}

func TestWebhookSSRF(t *testing.T) {
	forEachServer(t, nil, func(t *testing.T, c *api) {
		author, member := uuid.NewString(), c.user()
		c.publish("catalog", eventMemberAdded, author, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		eventually(t, "member known", func() bool { return len(c.inbox(member, "")) == 1 })
		for _, u := range []string{"http://127.0.0.1:9/x", "http://10.0.0.8/", "http://169.254.169.254/latest/meta-data", "http://[::1]/",
			"http://localhost/", "http://192.168.1.1/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/"} {
			r := c.expect(422, "POST", "/v1/webhooks", member, map[string]any{"author_id": author, "url": u, "event_types": []string{"media.published"}})
			if !strings.Contains(r.raw, "body.url") {
				t.Fatalf("%s: %s", u, r.raw)
			}
		}
	})
}

// TestDialGuard: a name that resolved to a public address at registration
// but dials a loopback one is refused at connect time.
func TestDialGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	blocked := ssrfGuard{}.client(time.Second)
	if _, err := blocked.Get(srv.URL); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("loopback dial allowed: %v", err)
	}
	allowed := ssrfGuard{allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}.client(time.Second)
	resp, err := allowed.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
