package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"gocloud.dev/blob/s3blob"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "storage-media-")
	if err != nil {
		panic(err)
	}
	mediaDir = dir
	// The MinIO suites open s3:// URLs; MinIO itself starts on first use.
	if err := blob.Register(s3blob.Scheme, &s3blob.URLOpener{}); err != nil {
		panic(err)
	}
	code := m.Run()
	stopMinio()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// fakeCatalog answers GET /v1/media/{id}/access as catalog would, from a
// table the test fills: who may edit (members) and the item's status.
type fakeCatalog struct {
	*httptest.Server
	mu     sync.Mutex
	media  map[string]fakeMedia
	tokens map[string]string // "Bearer <token>" → user ID
	// moderators see every item, as catalog lets them.
	moderators map[string]bool
}

type fakeMedia struct {
	kind, status string
	members      []string
}

// testServiceKey is the service key storage and the fake catalog share.
const testServiceKey = "test-service-key"

func newFakeCatalog(t testing.TB) *fakeCatalog {
	f := &fakeCatalog{media: map[string]fakeMedia{}, tokens: map[string]string{}, moderators: map[string]bool{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v1/media/"), "/access")
		f.mu.Lock()
		m, found := f.media[id]
		user := f.tokens[r.Header.Get("Authorization")]
		moderator := f.moderators[user]
		f.mu.Unlock()
		forService := r.URL.Query().Has("user_id")
		if forService {
			// A service asks for a user: only with the service key, and the
			// item's status is told whoever the user is.
			if r.Header.Get(serviceKeyHeader) != testServiceKey {
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = io.WriteString(w, `{"status":403,"detail":"only services may ask on another user's behalf"}`)
				return
			}
			user, moderator = r.URL.Query().Get("user_id"), false
		}
		member := user != "" && contains(m.members, user)
		public := m.status == "published"
		if !ok || !found || (!public && !member && !moderator && !forService) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"status":404,"detail":"no such media"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(Access{MediaID: id, Kind: m.kind, Status: m.status, Public: public,
			CanView: public || member || moderator, CanEdit: member && m.status != "removed"})
	}))
	t.Cleanup(f.Close)
	return f
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// newMedia registers a media item of kind with its members and returns its ID.
func (f *fakeCatalog) newMedia(kind, status string, members ...string) string {
	id := uuid.Must(uuid.NewV7()).String()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.media[id] = fakeMedia{kind: kind, status: status, members: members}
	return id
}

func (f *fakeCatalog) setStatus(id, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.media[id]
	m.status = status
	f.media[id] = m
}

// env is a storage service under test behind the production middleware.
type env struct {
	t       testing.TB
	svc     *Service
	h       *moduletest.Harness
	catalog *fakeCatalog
	url     string
	clock   *fakeClock
	events  *recorder
}

type fakeClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// newEnv starts storage on store s with the bucket at blobURL ("" for the
// local directory) and cfg adjusted by tune.
func newEnv(t testing.TB, s moduletest.Store, blobURL string, tune func(*Config)) *env {
	t.Helper()
	return newEnvBlob(t, s, blob.Config{URL: blobURL}, tune)
}

// newEnvBlob is newEnv with the whole blob configuration.
func newEnvBlob(t testing.TB, s moduletest.Store, bc blob.Config, tune func(*Config)) *env {
	t.Helper()
	h := moduletest.NewHarness(t, s)
	h.Deps.Blob = bc
	catalog := newFakeCatalog(t)
	cfg := DefaultConfig()
	cfg.CatalogURL = catalog.URL
	cfg.SweepInterval = 50 * time.Millisecond
	// The fake catalog's answers change without catalog's events: tests
	// of the access cache turn it on (access_cache_test.go).
	cfg.AccessCacheTTL = 0
	if tune != nil {
		tune(&cfg)
	}
	e := &env{t: t, h: h, catalog: catalog, clock: &fakeClock{}}
	e.events = newRecorder(t, h.Deps.Bus)
	h.Deps.ServiceKey = testServiceKey
	svc, err := newService(context.Background(), cfg, h.Deps,
		catalogAccess{base: cfg.CatalogURL, client: h.Deps.HTTPClient, serviceKey: h.Deps.ServiceKey}, e.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, svc)
	e.svc, e.url = svc, h.Server.URL
	return e
}

// user makes a user and returns their Authorization header value.
func (e *env) user() (string, string) { return e.userWith("reader", "author") }

// userWith makes a user holding roles.
func (e *env) userWith(roles ...string) (string, string) {
	id := uuid.Must(uuid.NewV7()).String()
	token := "Bearer " + e.h.Issuer.Token(id, roles...)
	e.catalog.mu.Lock()
	e.catalog.tokens[token] = id
	e.catalog.moderators[id] = contains(roles, "moderator")
	e.catalog.mu.Unlock()
	return id, token
}

// do sends a request; client nil is http.DefaultClient.
func (e *env) do(client *http.Client, method, url, authz string, body io.Reader, hdr map[string]string) *http.Response {
	e.t.Helper()
	if !strings.HasPrefix(url, "http") {
		url = e.url + url
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp
}

// read returns the body and closes it.
func read(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func expectStatus(t testing.TB, resp *http.Response, want int) []byte {
	t.Helper()
	b := read(t, resp)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, b)
	}
	return b
}

// tusMeta encodes Upload-Metadata.
func tusMeta(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
	}
	return strings.Join(parts, ",")
}

// tusCreate creates an upload and returns the response.
func (e *env) tusCreate(authz, mediaID string, size int) *http.Response {
	e.t.Helper()
	return e.do(nil, http.MethodPost, "/v1/uploads", authz, nil, map[string]string{
		"Tus-Resumable": "1.0.0", "Upload-Length": fmt.Sprint(size),
		"Upload-Metadata": tusMeta("media_id", mediaID, "filename", "../../My Book.pdf"),
	})
}

// tusUpload creates an upload and sends data in one PATCH; it returns
// the final PATCH's response.
func (e *env) tusUpload(authz, mediaID string, data []byte) *http.Response {
	e.t.Helper()
	resp := e.tusCreate(authz, mediaID, len(data))
	expectStatus(e.t, resp, http.StatusCreated)
	return e.tusPatch(nil, authz, resp.Header.Get("Location"), 0, data, true)
}

// tusPatch appends data at offset, with an Upload-Checksum when sum.
func (e *env) tusPatch(client *http.Client, authz, location string, offset int64, data []byte, sum bool) *http.Response {
	e.t.Helper()
	hdr := map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": fmt.Sprint(offset),
		"Content-Type": "application/offset+octet-stream"}
	if sum {
		d := sha256.Sum256(data)
		hdr["Upload-Checksum"] = "sha256 " + base64.StdEncoding.EncodeToString(d[:])
	}
	return e.do(client, http.MethodPatch, location, authz, bytes.NewReader(data), hdr)
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// eventually is testkit.Eventually.
var eventually = testkit.Eventually

// recorder collects the events storage publishes.
type recorder struct {
	mu  sync.Mutex
	got []bus.Event
}

func newRecorder(t testing.TB, b bus.Transport) *recorder {
	r := &recorder{}
	sub, err := b.Subscriber("test-recorder")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	msgs, err := sub.Subscribe(ctx, bus.Topic("storage"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range msgs {
			if e, err := bus.FromMessage(m); err == nil {
				r.mu.Lock()
				r.got = append(r.got, e)
				r.mu.Unlock()
			}
			m.Ack()
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return r
}

// wait returns the first event of typ about mediaID, waiting for it.
func (r *recorder) wait(t *testing.T, typ, mediaID string) bus.Event {
	t.Helper()
	var found bus.Event
	eventually(t, typ+" for "+mediaID, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, e := range r.got {
			if e.Type == typ && e.Key == mediaID {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

func (r *recorder) count(typ, mediaID string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.got {
		if e.Type == typ && e.Key == mediaID {
			n++
		}
	}
	return n
}

// publish puts an event on the bus as its producer's relay would.
func (e *env) publish(service, typ, mediaID string, payload any) {
	e.t.Helper()
	data, _ := json.Marshal(payload)
	ev := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, Source: "/alexandria/" + service,
		Subject: "media/" + mediaID, Key: mediaID, Time: time.Now().UTC(), Data: data}
	if err := e.h.Deps.Bus.Publisher().Publish(bus.Topic(service), ev.Message()); err != nil {
		e.t.Fatal(err)
	}
}

// objects lists the keys in the bucket under prefix.
func (e *env) objects(prefix string) []string {
	e.t.Helper()
	var keys []string
	it := e.svc.bucket.List(nil)
	for {
		o, err := it.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			e.t.Fatal(err)
		}
		if strings.HasPrefix(o.Key, prefix) {
			keys = append(keys, o.Key)
		}
	}
	return keys
}

// tusFiles lists the objects of unfinished uploads in the bucket.
func (e *env) tusFiles() []string {
	e.t.Helper()
	return e.objects(tusPrefix)
}

// metric sums a counter's samples whose labels include want.
func (e *env) metric(name string, want map[string]string) float64 {
	e.t.Helper()
	return testkit.Counter(e.t, e.h.Deps.Metrics.(prometheus.Gatherer), name, want)
}

// setMembers replaces a fake media item's members (a membership that ends).
func (f *fakeCatalog) setMembers(id string, members ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.media[id]
	m.members = members
	f.media[id] = m
}
