package httpx

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

// fakeSentry is an HTTP peer of Sentry's envelope endpoint
// (POST /api/{project}/envelope/): it keeps every event item it is sent.
type fakeSentry struct {
	mu     sync.Mutex
	events []map[string]any
	raw    [][]byte
	paths  []string
	auth   []string
}

func (f *fakeSentry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.raw = append(f.raw, body)
	f.paths = append(f.paths, r.URL.Path)
	f.auth = append(f.auth, r.Header.Get("X-Sentry-Auth"))
	// An envelope is a header line, then item header and payload lines.
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 1<<20), 8<<20)
	sc.Scan() // envelope header
	for sc.Scan() {
		var item struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(sc.Bytes(), &item) != nil || !sc.Scan() {
			break
		}
		if item.Type == "event" {
			var ev map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ev); err == nil {
				f.events = append(f.events, ev)
			}
		}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{"id":"0"}`))
}

func (f *fakeSentry) snapshot() ([]map[string]any, [][]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.events...), append([][]byte(nil), f.raw...)
}

func tagsOf(ev map[string]any) map[string]any {
	tags, _ := ev["tags"].(map[string]any)
	return tags
}

// TestFailuresReachSentry serves through the production edge with a Sentry
// reporter pointed at a fake envelope endpoint: a panic and a 500 each become
// one event carrying the request ID, the trace ID of the request's
// traceparent and the route pattern; 4xx answers and client cancels send
// nothing; request headers (the bearer token) never leave.
func TestFailuresReachSentry(t *testing.T) {
	t.Parallel()
	fake := &fakeSentry{}
	peer := httptest.NewServer(fake)
	defer peer.Close()
	dsn := strings.Replace(peer.URL, "http://", "http://publickey@", 1) + "/42"
	rep, err := telemetry.NewReporter(telemetry.SentryConfig{DSN: dsn, SampleRate: 1, PerMinute: 60, Environment: "test"}, "v9.9.9", "catalog", nil)
	if err != nil {
		t.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/things/{id}/boom", func(http.ResponseWriter, *http.Request) { panic("the thing exploded") })
	mux.HandleFunc("GET /v1/things/{id}/broken", func(w http.ResponseWriter, r *http.Request) {
		WriteProblem(w, r, errors.New("read thing: disk on fire"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable) // not ready: a state, not a failure
	})
	mux.HandleFunc("GET /v1/things/{id}/missing", func(w http.ResponseWriter, r *http.Request) {
		WriteProblem(w, r, &Problem{Status: http.StatusNotFound, Detail: "no such thing"})
	})
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	tracing, err := telemetry.NewTracing(context.Background(), telemetry.TraceConfig{SampleRatio: 1}, "t", "t")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Edge(RecordRoute(mux), slog.New(slog.DiscardHandler), m, tracing, EdgeOptions{Reporter: rep}))
	defer srv.Close()

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	call := func(path, requestID string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("X-Request-ID", requestID)
		req.Header.Set("Authorization", "Bearer secret-token-never-sent")
		req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if got := call("/v1/things/7/boom", "req-panic"); got != http.StatusInternalServerError {
		t.Fatalf("panic answered %d", got)
	}
	if got := call("/v1/things/7/broken", "req-broken"); got != http.StatusInternalServerError {
		t.Fatalf("broken answered %d", got)
	}
	if got := call("/v1/things/7/missing", "req-missing"); got != http.StatusNotFound {
		t.Fatalf("missing answered %d", got)
	}
	if got := call("/readyz", "req-probe"); got != http.StatusServiceUnavailable {
		t.Fatalf("readyz answered %d", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rep.Flush(ctx)

	events, raw := fake.snapshot()
	if len(events) != 2 {
		t.Fatalf("got %d events, want 2 (panic and 500; none for the 404 or the probe's 503)", len(events))
	}
	byRequest := map[string]map[string]any{}
	for _, ev := range events {
		tags := tagsOf(ev)
		id, _ := tags["request_id"].(string)
		byRequest[id] = ev
		if tags["trace_id"] != traceID {
			t.Errorf("event %s: trace_id tag %v, want the request's trace %s", id, tags["trace_id"], traceID)
		}
		contexts, _ := ev["contexts"].(map[string]any)
		tc, _ := contexts["trace"].(map[string]any)
		if tc["trace_id"] != traceID {
			t.Errorf("event %s: contexts.trace.trace_id %v, want %s", id, tc["trace_id"], traceID)
		}
		if ev["release"] != "v9.9.9" || ev["environment"] != "test" || ev["server_name"] != "catalog" {
			t.Errorf("event %s: release %v environment %v server %v", id, ev["release"], ev["environment"], ev["server_name"])
		}
	}
	panicked, broken := byRequest["req-panic"], byRequest["req-broken"]
	if panicked == nil || broken == nil {
		t.Fatalf("events by request ID: %v", keys(byRequest))
	}
	if r := tagsOf(panicked)["route"]; r != "GET /v1/things/{id}/boom" {
		t.Errorf("panic's route tag %v", r)
	}
	if !strings.Contains(exceptionValue(panicked), "the thing exploded") {
		t.Errorf("panic event's exception %q lacks the panic value", exceptionValue(panicked))
	}
	if !strings.Contains(stackFunctions(panicked), "TestFailuresReachSentry") {
		t.Errorf("panic event's stack trace does not reach the handler that panicked: %s", stackFunctions(panicked))
	}
	if !strings.Contains(exceptionValue(broken), "disk on fire") {
		t.Errorf("500 event's exception %q lacks the internal error", exceptionValue(broken))
	}
	if s := tagsOf(broken)["http.status_code"]; s != "500" {
		t.Errorf("500 event's status tag %v", s)
	}
	for _, body := range raw {
		if bytes.Contains(body, []byte("secret-token-never-sent")) {
			t.Fatal("the request's bearer token reached the error tracker")
		}
	}
	for _, a := range fake.auth {
		if !strings.Contains(a, "sentry_key=publickey") {
			t.Errorf("X-Sentry-Auth %q does not carry the DSN's key", a)
		}
	}
}

// TestSentryBudget: past sentry.per_minute a process drops reports instead
// of flooding the tracker during an outage.
func TestSentryBudget(t *testing.T) {
	t.Parallel()
	fake := &fakeSentry{}
	peer := httptest.NewServer(fake)
	defer peer.Close()
	dsn := strings.Replace(peer.URL, "http://", "http://k@", 1) + "/1"
	rep, err := telemetry.NewReporter(telemetry.SentryConfig{DSN: dsn, SampleRate: 1, PerMinute: 3}, "v", "s", nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		rep.Report(context.Background(), telemetry.Failure{Status: 503, Method: "GET", Route: "GET /v1/x", Err: errors.New("database unreachable")})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rep.Flush(ctx)
	if events, _ := fake.snapshot(); len(events) != 3 {
		t.Fatalf("got %d events, want the budget of 3", len(events))
	}
}

func exceptionValue(ev map[string]any) string {
	ex, _ := ev["exception"].([]any)
	var parts []string
	for _, e := range ex {
		if m, ok := e.(map[string]any); ok {
			v, _ := m["value"].(string)
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " | ")
}

func stackFunctions(ev map[string]any) string {
	ex, _ := ev["exception"].([]any)
	var fns []string
	for _, e := range ex {
		m, _ := e.(map[string]any)
		st, _ := m["stacktrace"].(map[string]any)
		frames, _ := st["frames"].([]any)
		for _, f := range frames {
			fm, _ := f.(map[string]any)
			fn, _ := fm["function"].(string)
			fns = append(fns, fn)
		}
	}
	return strings.Join(fns, " ")
}

func keys(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
