package notify

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
	"github.com/google/uuid"
)

// pushService is a push service in the test: it checks the VAPID JWT
// (RFC 8292) against the key in the header and decrypts the aes128gcm
// payload (RFC 8291) with the browser's private key.
type pushService struct {
	srv      *httptest.Server
	vapidKey string // the key the server must sign with
	browser  *ecdh.PrivateKey
	authKey  []byte
	mu       sync.Mutex
	plain    []string
	refusals []string
}

func newPushService(t *testing.T, vapidPublic string) *pushService {
	p := &pushService{vapidKey: vapidPublic, authKey: make([]byte, 16)}
	var err error
	if p.browser, err = ecdh.P256().GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	_, _ = rand.Read(p.authKey)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		defer p.mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/gone/") {
			// The browser unsubscribed: the push service forgets the endpoint.
			w.WriteHeader(http.StatusGone)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/unknown/") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if err := p.checkVAPID(r, "http://"+r.Host); err != nil {
			p.refusals = append(p.refusals, err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Header.Get("Content-Encoding") != "aes128gcm" || r.Header.Get("TTL") == "" {
			p.refusals = append(p.refusals, "headers")
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		msg, err := p.decrypt(body)
		if err != nil {
			p.refusals = append(p.refusals, err.Error())
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		p.plain = append(p.plain, msg)
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pushService) checkVAPID(r *http.Request, audience string) error {
	h := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(h, "vapid ")
	if !ok {
		return errors.New("no vapid authorization")
	}
	var token, key string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			token = v
		case "k":
			key = v
		}
	}
	want, _ := decodeKey(p.vapidKey)
	got, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil || string(got) != string(want) {
		return errors.New("vapid k is not the server's key")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), got)
	if err != nil {
		return errors.New("bad vapid key")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return errors.New("bad signature encoding")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return errors.New("JWT signature does not verify")
	}
	var header struct{ Alg string }
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	_ = json.Unmarshal(hb, &header)
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if err := json.Unmarshal(cb, &claims); err != nil || header.Alg != "ES256" {
		return errors.New("bad JWT")
	}
	if claims.Aud != audience || claims.Exp < time.Now().Unix() || claims.Exp > time.Now().Add(24*time.Hour).Unix() || claims.Sub == "" {
		return errors.New("bad claims")
	}
	return nil
}

func hmacSHA256(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// decrypt undoes RFC 8291 (one record).
func (p *pushService) decrypt(body []byte) (string, error) {
	if len(body) < 21 {
		return "", errors.New("short body")
	}
	salt, idlen := body[:16], int(body[20])
	_ = binary.BigEndian.Uint32(body[16:20])
	if len(body) < 21+idlen || idlen != 65 {
		return "", errors.New("bad keyid")
	}
	senderRaw, ct := body[21:21+idlen], body[21+idlen:]
	sender, err := ecdh.P256().NewPublicKey(senderRaw)
	if err != nil {
		return "", err
	}
	secret, err := p.browser.ECDH(sender)
	if err != nil {
		return "", err
	}
	prkKey := hmacSHA256(p.authKey, secret)
	keyInfo := append(append([]byte("WebPush: info\x00"), p.browser.PublicKey().Bytes()...), senderRaw...)
	ikm := hmacSHA256(prkKey, keyInfo, []byte{1})
	prk := hmacSHA256(salt, ikm)
	cek := hmacSHA256(prk, []byte("Content-Encoding: aes128gcm\x00\x01"))[:16]
	nonce := hmacSHA256(prk, []byte("Content-Encoding: nonce\x00\x01"))[:12]
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		return "", err
	}
	plain = []byte(strings.TrimRight(string(plain), "\x00"))
	if len(plain) == 0 || plain[len(plain)-1] != 2 {
		return "", errors.New("no last-record delimiter")
	}
	return string(plain[:len(plain)-1]), nil
}

func (p *pushService) subscription() map[string]any {
	return map[string]any{"endpoint": p.srv.URL + "/push/" + uuid.NewString(), "keys": map[string]any{
		"p256dh": base64.RawURLEncoding.EncodeToString(p.browser.PublicKey().Bytes()),
		"auth":   base64.RawURLEncoding.EncodeToString(p.authKey)}}
}

func (p *pushService) messages() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.plain...)
}

func TestWebPush(t *testing.T) {
	private, public, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	tune := func(c *Config) {
		c.VAPIDPublicKey, c.VAPIDPrivateKey, c.WebhookAllow = public, private, "127.0.0.1"
	}
	forEachServer(t, tune, func(t *testing.T, c *api) {
		ps := newPushService(t, public)
		author, member, other := uuid.NewString(), c.user(), c.user()
		if k := c.expect(200, "GET", "/v1/notifications/vapid-public-key", "", nil).body["public_key"]; k != public {
			t.Fatalf("vapid key %v", k)
		}
		sub := ps.subscription()
		c.expect(204, "POST", "/v1/users/me/push-subscriptions", member, sub)
		// Invalid keys and endpoints are refused, naming the field.
		bad := map[string]any{"endpoint": "http://10.1.2.3/push", "keys": map[string]any{"p256dh": "AAAA", "auth": "short"}}
		r := c.expect(422, "POST", "/v1/users/me/push-subscriptions", member, bad)
		for _, f := range []string{"body.endpoint", "body.keys.p256dh", "body.keys.auth"} {
			if !strings.Contains(r.raw, f) {
				t.Fatalf("no %s in %s", f, r.raw)
			}
		}
		offCurve := make([]byte, 65)
		offCurve[0] = 4
		bad = map[string]any{"endpoint": sub["endpoint"], "keys": map[string]any{"p256dh": base64.RawURLEncoding.EncodeToString(offCurve),
			"auth": base64.RawURLEncoding.EncodeToString(make([]byte, 16))}}
		c.expect(422, "POST", "/v1/users/me/push-subscriptions", member, bad)

		c.publish("catalog", eventMemberAdded, author, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		eventually(t, "a decrypted push", func() bool { return len(ps.messages()) == 1 })
		var msg map[string]any
		if err := json.Unmarshal([]byte(ps.messages()[0]), &msg); err != nil || msg["type"] != "author.member.added" || msg["title"] != "You were added to an author" {
			t.Fatalf("push payload %q", ps.messages()[0])
		}
		if len(ps.refusals) != 0 {
			t.Fatalf("push service refused: %v", ps.refusals)
		}
		// Another user cannot remove the subscription; its owner can.
		c.expect(404, "DELETE", "/v1/users/me/push-subscriptions?endpoint="+urlQuery(sub["endpoint"].(string)), other, nil)
		c.expect(204, "DELETE", "/v1/users/me/push-subscriptions?endpoint="+urlQuery(sub["endpoint"].(string)), member, nil)
	})
}

func urlQuery(s string) string { return strings.NewReplacer(":", "%3A", "/", "%2F").Replace(s) }

// withEndpoint is the subscription with its endpoint under path (/gone/,
// /unknown/: the push service answers 410 or 404).
func (p *pushService) withEndpoint(path string) map[string]any {
	sub := p.subscription()
	sub["endpoint"] = p.srv.URL + path + uuid.NewString()
	return sub
}

func (c *api) countRows(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n []int
	if err := c.svc.db.NewRaw(query, args...).Scan(t.Context(), &n); err != nil {
		t.Fatal(err)
	}
	return n[0]
}

// TestPushGoneAndErasure: subscriptions the push service answers 404 or
// 410 for are dropped while the live one gets the message; deleting the
// user (identity's event) erases their notifications, deliveries,
// subscriptions, devices and webhooks, and nobody else's.
func TestPushGoneAndErasure(t *testing.T) {
	private, public, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	tune := func(c *Config) {
		c.VAPIDPublicKey, c.VAPIDPrivateKey, c.WebhookAllow = public, private, "127.0.0.1"
	}
	forEachServer(t, tune, func(t *testing.T, c *api) {
		ps := newPushService(t, public)
		author, member, other := uuid.NewString(), c.user(), c.user()
		for _, sub := range []map[string]any{ps.subscription(), ps.withEndpoint("/gone/"), ps.withEndpoint("/unknown/")} {
			c.expect(204, "POST", "/v1/users/me/push-subscriptions", member, sub)
		}
		c.expect(204, "POST", "/v1/users/me/push-subscriptions", other, ps.subscription())
		c.publish("catalog", eventMemberAdded, author, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		eventually(t, "a decrypted push", func() bool { return len(ps.messages()) >= 1 })
		eventually(t, "the gone subscriptions dropped", func() bool {
			return c.countRows(t, "SELECT COUNT(*) FROM push_subscriptions WHERE user_id = ?", member) == 1
		})

		// The member registers a webhook and a device; the other user follows something.
		c.expect(201, "POST", "/v1/webhooks", member, map[string]any{"author_id": author, "url": ps.srv.URL + "/hook",
			"event_types": []string{"media.published"}, "secret": "erasure-secret-0123456789abcdef"})
		if _, err := c.svc.db.NewRaw("INSERT INTO devices (id, user_id, platform, token, created_at) VALUES (?, ?, 'android', ?, ?)",
			uuid.NewString(), member, "tok-"+uuid.NewString(), time.Now().UTC()).Exec(t.Context()); err != nil {
			t.Fatal(err)
		}
		c.publish("catalog", eventMemberAdded, author, map[string]any{"author_id": author, "user_id": other, "role": "editor"})
		eventually(t, "both inboxes filled", func() bool {
			return c.countRows(t, "SELECT COUNT(*) FROM notifications WHERE user_id = ?", other) >= 1 &&
				c.countRows(t, "SELECT COUNT(*) FROM notifications WHERE user_id = ?", member) >= 2
		})

		c.publish("identity", eventUserDeleted, member, map[string]any{"id": member, "email": "gone@example.test"})
		eventually(t, "the user erased", func() bool {
			n := 0
			for _, q := range []string{"SELECT COUNT(*) FROM notifications WHERE user_id = ?", "SELECT COUNT(*) FROM deliveries WHERE user_id = ?",
				"SELECT COUNT(*) FROM push_subscriptions WHERE user_id = ?", "SELECT COUNT(*) FROM devices WHERE user_id = ?",
				"SELECT COUNT(*) FROM webhooks WHERE created_by = ?"} {
				n += c.countRows(t, q, member)
			}
			return n == 0
		})
		if c.countRows(t, "SELECT COUNT(*) FROM push_subscriptions WHERE user_id = ?", other) != 1 ||
			c.countRows(t, "SELECT COUNT(*) FROM notifications WHERE user_id = ?", other) == 0 {
			t.Fatal("erasing one user touched another's data")
		}
	})
}
