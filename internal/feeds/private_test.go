package feeds

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// call sends a JSON request with a bearer token and decodes a JSON answer.
func (x *harness) call(method, path, bearer string, body any, out any) (*http.Response, string) {
	x.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			x.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, x.url+path, rd)
	if err != nil {
		x.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		x.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		x.t.Fatal(err)
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			x.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return res, string(b)
}

type createdToken struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Token    string            `json:"token"`
	FeedURLs map[string]string `json:"feed_urls"`
}

func (x *harness) newToken(bearer, name string) createdToken {
	x.t.Helper()
	var tok createdToken
	res, body := x.call(http.MethodPost, "/v1/feeds/tokens", bearer, map[string]string{"name": name}, &tok)
	if res.StatusCode != http.StatusCreated {
		x.t.Fatalf("create token: %d %s", res.StatusCode, body)
	}
	return tok
}

type tokenList struct {
	Items []map[string]any `json:"items"`
}

func TestPrivateFeeds(t *testing.T) {
	for _, st := range moduletest.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			x := newHarness(t, st, func(c *Config) { c.RequireAuth = true })
			author, episode := newID(), newID()
			x.apply(eventAuthorCreated, authorPayload(author, "Ada Host", 1))
			x.apply(eventMediaPublished, mediaPayload(episode, "podcast", "Episode one", author, 2))
			alice, bob := newID(), newID()
			aliceKey, bobKey := x.h.Issuer.Token(alice), x.h.Issuer.Token(bob)

			// Signed in only, and the name is checked.
			if res, body := x.call(http.MethodPost, "/v1/feeds/tokens", "", map[string]string{"name": "x"}, nil); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("anonymous create: %d %s", res.StatusCode, body)
			}
			if res, body := x.call(http.MethodPost, "/v1/feeds/tokens", aliceKey, map[string]string{"name": " "}, nil); res.StatusCode != http.StatusUnprocessableEntity ||
				!strings.Contains(body, "body.name") {
				t.Fatalf("blank name: %d %s", res.StatusCode, body)
			}
			readOnly := x.h.Issuer.TokenWithScopes(alice, []string{auth.ScopeRead})
			if res, body := x.call(http.MethodPost, "/v1/feeds/tokens", readOnly, map[string]string{"name": "x"}, nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("read-only create: %d %s", res.StatusCode, body)
			}

			tok := x.newToken(aliceKey, "Pocket app")
			if !strings.HasPrefix(tok.Token, "alxf_") || tok.Name != "Pocket app" || tok.ID == "" {
				t.Fatalf("created %+v", tok)
			}
			want := x.url + "/feeds/private/" + tok.Token + "/authors/{id}/podcast.xml"
			if tok.FeedURLs["author_podcast"] != want {
				t.Fatalf("author_podcast URL %q, want %q", tok.FeedURLs["author_podcast"], want)
			}

			// The public form needs Basic credentials; the private one only
			// its secret, and serves the same feed with its own self link.
			public := "/feeds/authors/" + author + "/podcast.xml"
			if res, _ := x.get(public); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("public feed with require_auth: %d", res.StatusCode)
			}
			private := "/feeds/private/" + tok.Token + "/authors/" + author + "/podcast.xml"
			res, body := x.mustGet(private)
			if cc := res.Header.Get("Cache-Control"); cc != "private, no-cache" {
				t.Fatalf("Cache-Control %q", cc)
			}
			f := parse(t, body)
			if f.Title != "Ada Host" || len(f.Items) != 1 || len(f.Items[0].Enclosures) != 1 ||
				f.Items[0].Enclosures[0].URL != x.url+"/v1/media/"+episode+"/content" {
				t.Fatalf("private feed: %q, %d items", f.Title, len(f.Items))
			}
			if !strings.Contains(body, `href="`+x.url+private+`"`) {
				t.Fatalf("private feed's self link is not its own URL:\n%s", body)
			}
			etag := res.Header.Get("ETag")
			if res, _ := x.get(private, "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
				t.Fatalf("conditional GET: %d", res.StatusCode)
			}
			for _, p := range []string{"/atom.xml", "/feed.json", "/tags/science/atom.xml", "/authors/" + author + "/feed.json"} {
				x.mustGet("/feeds/private/" + tok.Token + p)
			}

			// Listed without secrets, with the last use; only to its owner.
			var list tokenList
			if res, body := x.call(http.MethodGet, "/v1/feeds/tokens", aliceKey, nil, &list); res.StatusCode != http.StatusOK ||
				len(list.Items) != 1 || strings.Contains(body, tok.Token) || list.Items[0]["id"] != tok.ID ||
				list.Items[0]["last_used_at"] == nil {
				t.Fatalf("list: %d %s", res.StatusCode, body)
			}
			if _, body := x.call(http.MethodGet, "/v1/feeds/tokens", bobKey, nil, &list); len(list.Items) != 0 {
				t.Fatalf("bob sees alice's tokens: %s", body)
			}
			if res, body := x.call(http.MethodDelete, "/v1/feeds/tokens/"+tok.ID, bobKey, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Fatalf("bob revokes alice's token: %d %s", res.StatusCode, body)
			}
			if res, body := x.call(http.MethodDelete, "/v1/feeds/tokens/nope", aliceKey, nil, nil); res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("malformed ID: %d %s", res.StatusCode, body)
			}

			// Revoked: 404 at once, cached copy and validators included, and
			// the answer does not repeat the secret.
			if res, body := x.call(http.MethodDelete, "/v1/feeds/tokens/"+tok.ID, aliceKey, nil, nil); res.StatusCode != http.StatusNoContent {
				t.Fatalf("revoke: %d %s", res.StatusCode, body)
			}
			res, body = x.get(private, "If-None-Match", etag)
			if res.StatusCode != http.StatusNotFound || strings.Contains(body, tok.Token) ||
				!strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("revoked, conditional: %d %s", res.StatusCode, body)
			}
			if res, _ := x.get(private); res.StatusCode != http.StatusNotFound {
				t.Fatalf("revoked: %d", res.StatusCode)
			}
			// A made-up secret is just as unknown.
			if res, _ := x.get("/feeds/private/alxf_" + strings.Repeat("A", 43) + "/atom.xml"); res.StatusCode != http.StatusNotFound {
				t.Fatalf("made-up secret: %d", res.StatusCode)
			}
			if res, _ := x.get("/feeds/private/short/atom.xml"); res.StatusCode != http.StatusNotFound {
				t.Fatalf("malformed secret: %d", res.StatusCode)
			}
		})
	}
}

func TestPrivateFeedTokensErasedWithUser(t *testing.T) {
	for _, st := range moduletest.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			x := newHarness(t, st)
			alice, bob := newID(), newID()
			a1 := x.newToken(x.h.Issuer.Token(alice), "one")
			a2 := x.newToken(x.h.Issuer.Token(alice), "two")
			b1 := x.newToken(x.h.Issuer.Token(bob), "bob's")
			for _, tk := range []createdToken{a1, a2, b1} {
				x.mustGet("/feeds/private/" + tk.Token + "/atom.xml")
			}
			x.apply(eventIdentityUserDeleted, map[string]any{"id": alice, "email": "alice@example.com"})
			for _, tk := range []createdToken{a1, a2} {
				if res, _ := x.get("/feeds/private/" + tk.Token + "/atom.xml"); res.StatusCode != http.StatusNotFound {
					t.Fatalf("deleted user's token %s: %d", tk.Name, res.StatusCode)
				}
			}
			x.mustGet("/feeds/private/" + b1.Token + "/atom.xml")
			var list tokenList
			if x.call(http.MethodGet, "/v1/feeds/tokens", x.h.Issuer.Token(alice), nil, &list); len(list.Items) != 0 {
				t.Fatalf("deleted user still has %d tokens", len(list.Items))
			}
		})
	}
}

// lockedBuffer collects a logger's output across the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The secret in a private feed URL is in no log line: the access log names
// the route and the masked path, served or refused.
func TestPrivateFeedSecretIsNotLogged(t *testing.T) {
	h := moduletest.NewHarness(t, moduletest.Stores(t)[0])
	var logs lockedBuffer
	h.Deps.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := New(context.Background(), DefaultConfig(), h.Deps)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, s)
	x := &harness{t: t, s: s, h: h, url: h.Server.URL}
	tok := x.newToken(h.Issuer.Token(newID()), "app")
	x.mustGet("/feeds/private/" + tok.Token + "/atom.xml")
	res, _ := x.get("/feeds/private/" + tok.Token + "/nope.xml")
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown private path: %d", res.StatusCode)
	}
	out := logs.String()
	if strings.Count(out, `"path":"/feeds/private/…"`) != 2 || !strings.Contains(out, `"route":"GET /feeds/private/{token}/atom.xml"`) {
		t.Fatalf("access log lines for the private feed missing:\n%s", out)
	}
	if strings.Contains(out, tok.Token) {
		t.Fatalf("the secret is in the log:\n%s", out)
	}
}
