package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

type ctxKey struct{}

// TestEdgeLabelsByRouteBehindContextCopies checks that metrics carry the
// route pattern even when a middleware between Edge and the mux replaces the
// request (as the auth middleware does).
func TestEdgeLabelsByRouteBehindContextCopies(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/things/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	copying := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, 1)))
		})
	}
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	tracing, err := telemetry.NewTracing(context.Background(), telemetry.TraceConfig{SampleRatio: 1}, "t", "t")
	if err != nil {
		t.Fatal(err)
	}
	h := Edge(copying(RecordRoute(mux)), slog.New(slog.DiscardHandler), m, tracing, EdgeOptions{})
	for _, path := range []string{"/v1/things/1", "/v1/things/2", "/nowhere"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Header().Get("X-Request-ID") == "" {
			t.Fatal("no request ID")
		}
	}
	want := `
# HELP alexandria_http_requests_total HTTP requests by route pattern, method and status code.
# TYPE alexandria_http_requests_total counter
alexandria_http_requests_total{method="GET",route="GET /v1/things/{id}",status="418"} 2
alexandria_http_requests_total{method="GET",route="unmatched",status="404"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "alexandria_http_requests_total"); err != nil {
		t.Fatal(err)
	}
}

// TestEdgeRecordsInventedMethodsAsOther checks that a client sending random
// method names cannot create a series per name.
func TestEdgeRecordsInventedMethodsAsOther(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/things", func(w http.ResponseWriter, _ *http.Request) {})
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	tracing, err := telemetry.NewTracing(context.Background(), telemetry.TraceConfig{}, "t", "t")
	if err != nil {
		t.Fatal(err)
	}
	h := Edge(RecordRoute(mux), slog.New(slog.DiscardHandler), m, tracing, EdgeOptions{})
	for _, method := range []string{"BREW", "XYZZY", "get", "PROPFIND", http.MethodGet} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, "/v1/things", nil))
	}
	want := `
# HELP alexandria_http_requests_total HTTP requests by route pattern, method and status code.
# TYPE alexandria_http_requests_total counter
alexandria_http_requests_total{method="GET",route="GET /v1/things",status="200"} 1
alexandria_http_requests_total{method="other",route="unmatched",status="405"} 4
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "alexandria_http_requests_total"); err != nil {
		t.Fatal(err)
	}
}
