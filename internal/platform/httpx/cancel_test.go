package httpx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// levelCounter is a slog handler counting records per level.
type levelCounter struct {
	mu     sync.Mutex
	counts map[slog.Level]int
	msgs   []string
}

func (h *levelCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *levelCounter) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.counts[r.Level]++
	if r.Level >= slog.LevelError {
		h.msgs = append(h.msgs, r.Message)
	}
	return nil
}
func (h *levelCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *levelCounter) WithGroup(string) slog.Handler      { return h }

func (h *levelCounter) count(l slog.Level) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts[l]
}

// TestClientCancelsAreNotServerErrors runs requests whose clients give up
// mid-flight against a real server with the production edge: handlers that
// fail with their cancelled context (a database query returning "context
// canceled"), or return without answering, or write a 500 themselves, are
// recorded as 499 in the metrics and logged below ERROR; the 5xx count stays
// at zero. A real server error on a live request is still a 500 at ERROR.
func TestClientCancelsAreNotServerErrors(t *testing.T) {
	t.Parallel()
	// started[request ID] is closed once the server works on the request.
	var mu sync.Mutex
	started := map[string]chan struct{}{}
	startedFor := func(id string) chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		if started[id] == nil {
			started[id] = make(chan struct{})
		}
		return started[id]
	}
	mux := http.NewServeMux()
	api := NewAPI(mux, "test")
	wait := func(ctx context.Context) {
		close(startedFor(telemetry.RequestID(ctx)))
		<-ctx.Done()
	}
	huma.Register(api, huma.Operation{Method: http.MethodGet, Path: "/v1/media/{id}", OperationID: "get-media"},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*nameOutput, error) {
			wait(ctx)
			return nil, fmt.Errorf("load media %s: %w", in.ID, ctx.Err())
		})
	mux.HandleFunc("GET /raw/silent", func(_ http.ResponseWriter, r *http.Request) { wait(r.Context()) })
	mux.HandleFunc("GET /raw/500", func(w http.ResponseWriter, r *http.Request) {
		wait(r.Context())
		WriteProblem(w, r, errors.New("read object: context canceled"))
	})
	mux.HandleFunc("GET /raw/broken", func(w http.ResponseWriter, r *http.Request) {
		WriteProblem(w, r, errors.New("disk on fire"))
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
	logs := &levelCounter{counts: map[slog.Level]int{}}
	srv := httptest.NewServer(Edge(RecordRoute(mux), slog.New(logs), m, tracing, EdgeOptions{}))
	defer srv.Close()

	const perPath = 8
	paths := []string{"/v1/media/0190", "/raw/silent", "/raw/500"}
	var wg sync.WaitGroup
	for _, p := range paths {
		for i := range perPath {
			id := fmt.Sprintf("c%d%s", i, strings.ReplaceAll(p, "/", "-"))
			wg.Go(func() {
				ctx, cancel := context.WithCancel(context.Background())
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+p, nil)
				req.Header.Set("X-Request-ID", id)
				go func() {
					<-startedFor(id) // the server is working on it: give up
					cancel()
				}()
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					_ = resp.Body.Close()
					t.Errorf("GET %s answered %d although cancelled", p, resp.StatusCode)
				}
			})
		}
	}
	wg.Wait()
	total := len(paths) * perPath
	status := func(code string) float64 {
		return testkit.Counter(t, reg, "alexandria_http_requests_total", map[string]string{"status": code})
	}
	testkit.Eventually(t, "every cancelled request recorded", func() bool { return int(status("499")) == total })
	for _, code := range []string{"500", "502", "503", "504"} {
		if n := status(code); n != 0 {
			t.Errorf("%v requests counted as %s", n, code)
		}
	}
	if n := logs.count(slog.LevelError); n != 0 {
		t.Errorf("%d ERROR records for client cancels: %v", n, logs.msgs)
	}

	// A server failure on a live request is still a 500, logged at ERROR.
	resp, err := http.Get(srv.URL + "/raw/broken")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("live failure answered %d", resp.StatusCode)
	}
	testkit.Eventually(t, "the live failure counted", func() bool { return status("500") == 1 })
	if logs.count(slog.LevelError) == 0 {
		t.Error("a live server error was not logged at ERROR")
	}
}
