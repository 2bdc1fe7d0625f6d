package feeds

import (
	"bytes"
	"crypto/md5" //nolint:gosec // KOReader's fingerprint
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// koreaderFingerprint is KOReader's partial MD5, written out plainly.
func koreaderFingerprint(b []byte) string {
	h := md5.New() //nolint:gosec // see import
	for _, off := range []int{0, 1024, 4096, 16384, 65536, 262144, 1048576} {
		if off >= len(b) {
			break
		}
		h.Write(b[off:min(off+1024, len(b))])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// fakeEngagement stores progress as engagement does (the fields feeds uses).
type fakeEngagement struct {
	*httptest.Server
	mu    sync.Mutex
	saved map[string]map[string]any
	auth  []string
}

func newFakeEngagement(t *testing.T) *fakeEngagement {
	f := &fakeEngagement{saved: map[string]map[string]any{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		if id, ok := strings.CutPrefix(r.URL.Path, "/v1/users/me/progress/"); ok && r.Method == http.MethodPut {
			var body map[string]any
			_ = json.NewDecoder(r.Body).Decode(&body)
			body["media_id"] = id
			body["percent"] = 100 * body["page"].(float64) / body["pages"].(float64)
			f.saved[id] = body
			_ = json.NewEncoder(w).Encode(body)
			return
		}
		if r.URL.Path == "/v1/users/me/progress" && r.Method == http.MethodGet {
			items := []any{}
			if r.URL.Query().Get("state") == "in_progress" {
				for _, v := range f.saved {
					items = append(items, v)
				}
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(f.Close)
	return f
}

func TestKOReaderSync(t *testing.T) {
	for _, st := range moduletest.Stores(t) {
		t.Run(st.Name, func(t *testing.T) { testKOReaderSync(t, st) })
	}
}

func testKOReaderSync(t *testing.T, st moduletest.Store) {
	h := moduletest.NewHarness(t, st)
	userID := newID()
	idp := newFakeIdentity(t, h, map[string]struct {
		user, email string
		scopes      []string
	}{
		"alx_device":   {userID, "reader@example.com", []string{"read", "write"}},
		"alx_readonly": {userID, "reader@example.com", []string{"read"}},
	})
	epub := bytes.Repeat([]byte("PK\x03\x04 an epub of some length "), 2000) // about 60 KB
	content := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "book.epub", time.Time{}, bytes.NewReader(epub))
	}))
	t.Cleanup(content.Close)
	eng := newFakeEngagement(t)
	h.Deps.IdentityURL = idp.URL
	h.Deps.ServiceKey = "koreader-test-key"
	cfg := DefaultConfig()
	cfg.ContentURL, cfg.EngagementURL = content.URL, eng.URL
	s, err := New(t.Context(), cfg, h.Deps)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, s)
	x := &harness{t: t, s: s, h: h, url: h.Server.URL}

	author, book := newID(), newID()
	x.apply(eventAuthorCreated, authorPayload(author, "Writer", 1))
	sum := sha256.Sum256(epub)
	m := mediaPayload(book, "book", "Synced book", author, 1)
	m["content"] = map[string]any{"size": len(epub), "sha256": hex.EncodeToString(sum[:]), "content_type": "application/epub+zip", "pages": 12}
	x.apply(eventMediaPublished, m)
	doc := koreaderFingerprint(epub)
	waitFor(t, func() bool { _, ok, _ := s.store.MediaByDocument(t.Context(), doc); return ok })

	send := func(method, path, body string, header ...string) (*http.Response, string) {
		req, _ := http.NewRequest(method, x.url+path, strings.NewReader(body))
		req.Header.Set("Accept", "application/vnd.koreader.v1+json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	basicHeader := func(user, pass string) string {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.SetBasicAuth(user, pass)
		return r.Header.Get("Authorization")
	}
	key := userKey("alx_device")

	// Before linking, KOReader cannot register or sign in.
	if r, _ := send(http.MethodPost, "/koreader/users/create", `{"username":"reader@example.com","password":"`+key+`"}`); r.StatusCode != http.StatusForbidden {
		t.Fatalf("create before link: %d", r.StatusCode)
	}
	if r, _ := send(http.MethodPut, "/koreader/link", "", "Authorization", basicHeader("reader@example.com", "alx_readonly")); r.StatusCode != http.StatusForbidden {
		t.Fatalf("link with a read-only token: %d", r.StatusCode)
	}
	if r, b := send(http.MethodPut, "/koreader/link", "", "Authorization", basicHeader("Reader@Example.com", "alx_device")); r.StatusCode != http.StatusOK {
		t.Fatalf("link: %d %s", r.StatusCode, b)
	}
	if r, b := send(http.MethodPost, "/koreader/users/create", `{"username":"reader@example.com","password":"`+key+`"}`); r.StatusCode != http.StatusCreated {
		t.Fatalf("create after link: %d %s", r.StatusCode, b)
	}
	auth := []string{"x-auth-user", "reader@example.com", "x-auth-key", key}
	if r, b := send(http.MethodGet, "/koreader/users/auth", "", auth...); r.StatusCode != http.StatusOK || !strings.Contains(b, `"authorized":"OK"`) {
		t.Fatalf("auth: %d %s", r.StatusCode, b)
	}
	if r, _ := send(http.MethodGet, "/koreader/users/auth", "", "x-auth-user", "reader@example.com", "x-auth-key", userKey("nope")); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("auth with a wrong key: %d", r.StatusCode)
	}

	// Nothing synced yet: an empty object.
	if r, b := send(http.MethodGet, "/koreader/syncs/progress/"+doc, "", auth...); r.StatusCode != http.StatusOK || strings.TrimSpace(b) != "{}" {
		t.Fatalf("get before put: %d %s", r.StatusCode, b)
	}
	put := `{"document":"` + doc + `","progress":"/body/DocFragment[3]/body/div/p[2]/text().0","percentage":0.25,"device":"Kobo","device_id":"K1"}`
	if r, b := send(http.MethodPut, "/koreader/syncs/progress", put, auth...); r.StatusCode != http.StatusOK || !strings.Contains(b, doc) {
		t.Fatalf("put: %d %s", r.StatusCode, b)
	}
	eng.mu.Lock()
	saved := eng.saved[book]
	bearer := eng.auth[0]
	eng.mu.Unlock()
	if saved == nil || saved["page"] != 3.0 || saved["pages"] != 12.0 || saved["device"] != "Kobo" {
		t.Fatalf("engagement got %v", saved)
	}
	if !strings.HasPrefix(bearer, "Bearer ") || strings.Contains(bearer, "alx_") {
		t.Fatalf("engagement was called with %q, want an access token", bearer)
	}
	r, b := send(http.MethodGet, "/koreader/syncs/progress/"+doc, "", auth...)
	var got koreaderProgress
	if err := json.Unmarshal([]byte(b), &got); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("get: %d %s", r.StatusCode, b)
	}
	if got.Document != doc || got.Progress != "/body/DocFragment[3]/body" || got.Percentage != 0.25 || got.Device != "Kobo" {
		t.Fatalf("progress read back %+v", got)
	}

	// Bad input and unknown documents are problems.
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{http.MethodPut, "/koreader/syncs/progress", `{"document":"zz","percentage":0.1}`, http.StatusUnprocessableEntity},
		{http.MethodPut, "/koreader/syncs/progress", `{"document":"` + doc + `","percentage":7}`, http.StatusUnprocessableEntity},
		{http.MethodGet, "/koreader/syncs/progress/" + strings.Repeat("0", 32), "", http.StatusNotFound},
		{http.MethodGet, "/koreader/syncs/progress/not-a-hash", "", http.StatusUnprocessableEntity},
	} {
		if r, b := send(c.method, c.path, c.body, auth...); r.StatusCode != c.want || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.StatusCode, b)
		}
	}
	// Without engagement: 503.
	s.cfg.EngagementURL = ""
	if r, _ := send(http.MethodPut, "/koreader/syncs/progress", put, auth...); r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("without engagement: %d", r.StatusCode)
	}
}

func TestPartialMD5MatchesKOReader(t *testing.T) {
	for _, n := range []int{10, 1024, 1025, 5000, 70000, 2_000_000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 7)
		}
		got, err := partialMD5(int64(n), func(off, k int64) ([]byte, error) { return b[off : off+k], nil })
		if err != nil || got != koreaderFingerprint(b) {
			t.Fatalf("size %d: %s, want %s", n, got, koreaderFingerprint(b))
		}
	}
}
