package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

// Metrics are the HTTP RED metrics, registered on the registry passed in.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
}

// NewMetrics registers the HTTP metrics on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexandria_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "alexandria_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "alexandria_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inflight} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// EdgeOptions tune the edge middleware.
type EdgeOptions struct {
	// TrustForwardedFor takes the client address from X-Forwarded-For; set it
	// only behind a proxy that overwrites the header.
	TrustForwardedFor bool
	// Reporter receives panics and answers of 500 or more (Sentry when
	// configured); nil reports nothing.
	Reporter telemetry.Reporter
}

// Edge wraps the process's handler with tracing, request IDs, access logs,
// metrics and panic recovery. It is the only place requests are logged.
func Edge(next http.Handler, log *slog.Logger, m *Metrics, tracing *telemetry.Tracing, o EdgeOptions) http.Handler {
	reporter := o.Reporter
	if reporter == nil {
		reporter = telemetry.NoReporter{}
	}
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id") // canonical spelling: no allocation to canonicalise it
		if !validRequestID.MatchString(id) {
			id = newRequestID()
		}
		ctx := telemetry.WithRequestID(r.Context(), id)
		ctx = WithLogger(ctx, log)
		// One value for what Edge hands in (the client's address) and what
		// the layers inside hand back out (route, failure): one context
		// layer and one allocation per request instead of three of each.
		note := &edgeNote{clientIP: clientIP(r, o.TrustForwardedFor)}
		ctx = context.WithValue(ctx, edgeKey{}, note)
		route, failed := &note.route, &note.failure
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w, ctx: r.Context()}
		r = r.WithContext(ctx)
		if masked := MaskPath(r.URL.Path); masked != r.URL.Path {
			trace.SpanFromContext(ctx).SetAttributes(attribute.String("url.path", masked))
		}

		m.inflight.Inc()
		defer func() {
			m.inflight.Dec()
			v := recover()
			if v != nil {
				log.ErrorContext(ctx, "panic serving request", slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				if sw.status == 0 {
					WriteProblem(sw, r, toProblem(ctx, http.StatusInternalServerError, ""))
				}
			}
			pattern := route.pattern
			if pattern == "" {
				pattern = "unmatched"
			}
			probe := probeRoutes[pattern]
			if v != nil || (sw.status >= 500 && !probe) {
				reporter.Report(ctx, telemetry.Failure{
					Panic: v, Err: failed.err, Status: max(sw.status, http.StatusInternalServerError),
					Method: MethodLabel(r.Method), Route: pattern, Path: MaskPath(r.URL.Path),
				})
			}
			if sw.status == 0 && ClientGone(r.Context()) {
				// The handler gave up on a client that went away.
				sw.WriteHeader(StatusClientClosed)
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			elapsed := time.Since(start)
			method := MethodLabel(r.Method)
			m.requests.WithLabelValues(pattern, method, strconv.Itoa(sw.status)).Inc()
			m.duration.WithLabelValues(pattern, method).Observe(elapsed.Seconds())
			trace.SpanFromContext(ctx).SetName(method + " " + pattern)
			level := slog.LevelInfo
			switch {
			case v != nil:
				level = slog.LevelError
			case sw.status >= 500 && probe:
				// A probe's 503 answers "not ready" (starting, draining, a
				// dependency down): a state, logged, not a failure to report.
				level = slog.LevelWarn
			case sw.status >= 500:
				level = slog.LevelError
			}
			if sw.status == StatusClientClosed {
				trace.SpanFromContext(ctx).SetAttributes(attribute.Bool("http.client_closed", true))
			}
			log.LogAttrs(ctx, level, "http request",
				slog.String("method", method), slog.String("route", pattern),
				slog.String("path", MaskPath(r.URL.Path)), slog.Int("status", sw.status),
				slog.Int64("bytes", sw.bytes), slog.Duration("duration", elapsed),
				slog.String("remote", r.RemoteAddr))
		}()
		if p := queryProblem(r.URL.RawQuery); p != nil {
			WriteProblem(sw, r, toProblem(ctx, http.StatusBadRequest, "the query string is malformed", p))
			return
		}
		r = r.WithContext(withBodyState(ctx, r))
		next.ServeHTTP(sw, r)
	})
	return otelhttp.NewHandler(inner, "http",
		otelhttp.WithTracerProvider(tracing.Provider),
		otelhttp.WithPropagators(tracing.Propagator),
		otelhttp.WithFilter(func(r *http.Request) bool {
			switch r.URL.Path {
			case "/livez", "/readyz", "/metrics":
				return false
			}
			return true
		}),
	)
}

// probeRoutes answer about the process's state; their 503 is not a failure
// of the request (and the error-ratio alert leaves them out too).
var probeRoutes = map[string]bool{"GET /livez": true, "GET /readyz": true, "GET /metrics": true}

// standardMethods are the methods recorded by name; any other method a
// client invents is recorded as "other", so that random method names cannot
// create a new series each (metrics, span names, log fields).
var standardMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
	http.MethodConnect: true, http.MethodTrace: true,
}

// MethodLabel returns method when it is a standard HTTP method and "other"
// otherwise: the value to use wherever a method becomes a label.
func MethodLabel(method string) string {
	if standardMethods[method] {
		return method
	}
	return "other"
}

type edgeKey struct{}

// edgeNote is Edge's per-request record, reachable from the request's
// context by the layers inside it.
type edgeNote struct {
	clientIP string
	route    routeHolder
	failure  failureNote
}

func edgeNoteOf(ctx context.Context) *edgeNote {
	n, _ := ctx.Value(edgeKey{}).(*edgeNote)
	return n
}

// failureNote carries the internal error behind a 5xx answer back out to
// Edge, which reports it with the status it became.
type failureNote struct{ err error }

func noteFailure(ctx context.Context, err error) {
	if n := edgeNoteOf(ctx); n != nil && n.failure.err == nil {
		n.failure.err = err
	}
}

// routeHolder carries the matched route pattern back out to Edge: inner
// middleware may hand the mux a copy of the request, and the mux records
// the pattern only on the request it was given.
type routeHolder struct{ pattern string }

// RecordRoute wraps the mux so Edge can label metrics, logs and spans with
// the route pattern rather than the raw path. It must wrap the mux itself.
func RecordRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Deferred, so a handler that panics is still labelled by its route.
		defer func() {
			if n := edgeNoteOf(r.Context()); n != nil {
				n.route.pattern = r.Pattern
			}
		}()
		mux.ServeHTTP(w, r)
	})
}

// ClientIP returns the caller's address as seen by the edge middleware.
func ClientIP(ctx context.Context) string {
	if n := edgeNoteOf(ctx); n != nil {
		return n.clientIP
	}
	return ""
}

func clientIP(r *http.Request, trustForwarded bool) string {
	if trustForwarded {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// DefaultRetryAfter is the Retry-After, in seconds, of a 503 whose handler
// set none (a dependency that cannot be reached).
const DefaultRetryAfter = "5"

type statusWriter struct {
	http.ResponseWriter
	ctx    context.Context // the request's, to tell a client that went away
	status int
	bytes  int64
}

// WriteHeader records code; a server error answered to a client that has
// gone away is recorded, and passed on to the tracing wrapper, as 499
// (StatusClientClosed): the failure is the abandoned work's, not the
// server's, and nobody receives the answer.
func (w *statusWriter) WriteHeader(code int) {
	if code >= 500 && w.ctx != nil && ClientGone(w.ctx) {
		code = StatusClientClosed
	}
	if code == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		// Every 503 tells the client when to come back (RFC 9110 §10.2.3);
		// a handler that knows better sets its own.
		w.Header().Set("Retry-After", DefaultRetryAfter)
	}
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
