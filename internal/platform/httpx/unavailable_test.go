package httpx

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

// sqlStateError stands for a driver's server error (pgconn.PgError has
// the same method).
type sqlStateError string

func (e sqlStateError) Error() string    { return "server said " + string(e) }
func (e sqlStateError) SQLState() string { return string(e) }

type safeToRetryError struct{}

func (safeToRetryError) Error() string     { return "failed to connect" }
func (safeToRetryError) SafeToRetry() bool { return true }

// connectionError stands for the AWS SDK's smithyhttp.RequestSendError
// (S3, MinIO): the request could not be sent, here because the connection
// broke mid-body.
type connectionError struct{ err error }

func (e connectionError) Error() string         { return "failed to send the request: " + e.err.Error() }
func (e connectionError) Unwrap() error         { return e.err }
func (e connectionError) ConnectionError() bool { return true }

func TestDependencyUnavailable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("insert media: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), true},
		{fmt.Errorf("query: %w", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), true},
		{fmt.Errorf("begin: %w", driver.ErrBadConn), true},
		{fmt.Errorf("select: %w", sqlStateError("57P01")), true}, // admin shutdown
		{fmt.Errorf("select: %w", sqlStateError("57P03")), true}, // starting up
		{fmt.Errorf("select: %w", sqlStateError("08006")), true}, // connection failure
		{fmt.Errorf("connect: %w", safeToRetryError{}), true},
		{fmt.Errorf("tus chunk: %w", connectionError{&net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}}), true},
		{fmt.Errorf("put: %w", errors.Join(connectionError{io.ErrUnexpectedEOF}, errors.New("retry quota exceeded"))), true},
		{io.ErrUnexpectedEOF, false},                              // a request body cut short is the client's
		{fmt.Errorf("insert: %w", sqlStateError("23505")), false}, // unique violation: a bug or a race, not an outage
		{fmt.Errorf("insert: %w", sqlStateError("42P01")), false},
		{errors.New("disk on fire"), false},
		{context.DeadlineExceeded, false},
	} {
		if got := DependencyUnavailable(c.err); got != c.want {
			t.Errorf("DependencyUnavailable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// TestUnreachableDatabaseIsA503WithRetryAfter: an operation whose store
// cannot reach its database answers 503 problem+json with Retry-After
// (not 500), through huma and through a raw handler; an explicit
// Unavailable error keeps its own Retry-After; a plain failure stays 500.
func TestUnreachableDatabaseIsA503WithRetryAfter(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	api := NewAPI(mux, "test")
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	huma.Register(api, huma.Operation{Method: http.MethodPost, Path: "/v1/media", OperationID: "create-media"},
		func(ctx context.Context, _ *struct{}) (*nameOutput, error) {
			return nil, fmt.Errorf("insert media: %w", refused)
		})
	huma.Register(api, huma.Operation{Method: http.MethodGet, Path: "/v1/busy", OperationID: "busy"},
		func(ctx context.Context, _ *struct{}) (*nameOutput, error) {
			return nil, &errs.Error{Kind: errs.Unavailable, Message: "busy", RetryAfterSeconds: 1}
		})
	huma.Register(api, huma.Operation{Method: http.MethodGet, Path: "/v1/broken", OperationID: "broken"},
		func(ctx context.Context, _ *struct{}) (*nameOutput, error) {
			return nil, errors.New("disk on fire")
		})
	mux.HandleFunc("GET /raw", func(w http.ResponseWriter, r *http.Request) {
		WriteProblem(w, r, fmt.Errorf("load: %w", driver.ErrBadConn))
	})
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	tracing, err := telemetry.NewTracing(context.Background(), telemetry.TraceConfig{}, "t", "t")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Edge(RecordRoute(mux), slog.New(slog.DiscardHandler), m, tracing, EdgeOptions{}))
	defer srv.Close()
	for _, c := range []struct {
		method, path string
		status       int
		retryAfter   string
	}{
		{http.MethodPost, "/v1/media", http.StatusServiceUnavailable, DefaultRetryAfter},
		{http.MethodGet, "/raw", http.StatusServiceUnavailable, DefaultRetryAfter},
		{http.MethodGet, "/v1/busy", http.StatusServiceUnavailable, "1"},
		{http.MethodGet, "/v1/broken", http.StatusInternalServerError, ""},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p Problem
		_ = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != c.status || p.Status != c.status || resp.Header.Get("Content-Type") != "application/problem+json" ||
			resp.Header.Get("Retry-After") != c.retryAfter {
			t.Errorf("%s %s: %d %q Retry-After %q, problem %+v; want %d with Retry-After %q",
				c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"), p, c.status, c.retryAfter)
		}
		if c.status == http.StatusServiceUnavailable && p.Type != ProblemTypeBase+"unavailable" {
			t.Errorf("%s: problem type %q", c.path, p.Type)
		}
	}
}
