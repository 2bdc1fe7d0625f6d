package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
	"go.opentelemetry.io/otel/trace"
)

// SentryConfig configures error reporting to Sentry (or any service that
// accepts Sentry's envelope protocol: GlitchTip, self-hosted Sentry).
type SentryConfig struct {
	DSN         string  `yaml:"dsn" env:"DSN" secret:"true" doc:"Sentry DSN (https://key@host/project); panics and 5xx answers are reported there with their request and trace IDs; empty: nothing is sent"`
	Environment string  `yaml:"environment" env:"ENVIRONMENT" doc:"environment name on every report (production, staging…)"`
	SampleRate  float64 `yaml:"sample_rate" env:"SAMPLE_RATE" doc:"share of 5xx answers reported (0..1); panics are always reported"`
	// PerMinute caps what one process sends, so an outage that fails every
	// request does not flood the tracker (the metrics count every one).
	PerMinute int `yaml:"per_minute" env:"PER_MINUTE" doc:"most reports one process sends per minute; the rest are dropped and counted in the log"`
}

// Validate checks the DSN and the rates.
func (c SentryConfig) Validate() error {
	if c.DSN != "" {
		u, err := url.Parse(c.DSN)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User == nil {
			// Never echo the DSN: it holds the project's key.
			return fmt.Errorf("sentry.dsn: not a Sentry DSN (want https://key@host/project)")
		}
	}
	if c.SampleRate < 0 || c.SampleRate > 1 {
		return fmt.Errorf("sentry.sample_rate: %v is not between 0 and 1", c.SampleRate)
	}
	if c.PerMinute < 0 {
		return fmt.Errorf("sentry.per_minute: %d is negative", c.PerMinute)
	}
	return nil
}

// Failure is one thing that went wrong while serving: a panic, or an answer
// of 500 or more.
type Failure struct {
	Panic  any    // the recovered value, when the handler panicked
	Err    error  // the internal error behind the answer, when one was recorded
	Status int    // the HTTP status answered
	Method string // request method (already reduced to a standard name)
	Route  string // the route pattern, never the raw path
	Path   string // the path with secrets masked
}

// Reporter hands failures to an error tracker. Report must not block the
// request for long: implementations queue and send in the background.
type Reporter interface {
	Report(ctx context.Context, f Failure)
	// Flush waits until queued reports are sent or ctx ends.
	Flush(ctx context.Context)
}

// NoReporter reports nothing: the default without a DSN.
type NoReporter struct{}

// Report does nothing.
func (NoReporter) Report(context.Context, Failure) {}

// Flush does nothing.
func (NoReporter) Flush(context.Context) {}

// NewReporter returns a Sentry reporter for c, or NoReporter when no DSN is
// set. release is the build's version, server the target names.
func NewReporter(c SentryConfig, release, server string, log *slog.Logger) (Reporter, error) {
	if c.DSN == "" {
		return NoReporter{}, nil
	}
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:         c.DSN,
		Release:     release,
		Environment: c.Environment,
		ServerName:  server,
		// Request bodies, cookies and headers never reach a report: nothing
		// here attaches the request (the SDK's default leaves personal data
		// out too). What is sent is listed in docs/operations.md.
		// Sampling of 5xx is done here, so that panics always go.
		SampleRate: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("sentry: %w", err)
	}
	per := c.PerMinute
	if per == 0 {
		per = 60
	}
	return &sentryReporter{client: client, sample: c.SampleRate, log: log, budget: newBudget(per, time.Minute)}, nil
}

type sentryReporter struct {
	client *sentry.Client
	sample float64
	log    *slog.Logger
	budget *budget
}

func (s *sentryReporter) Report(ctx context.Context, f Failure) {
	if f.Panic == nil && s.sample < 1 && !sampled(ctx, s.sample) {
		return
	}
	if !s.budget.take(time.Now()) {
		if s.log != nil {
			s.log.DebugContext(ctx, "error report dropped: over sentry.per_minute", slog.Int("status", f.Status), slog.String("route", f.Route))
		}
		return
	}
	scope := sentry.NewScope()
	hub := sentry.NewHub(s.client, scope)
	if id := RequestID(ctx); id != "" {
		scope.SetTag("request_id", id)
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		// The same trace ID as the logs and the OpenTelemetry spans, so a
		// report leads to the whole trace.
		scope.SetPropagationContext(sentry.PropagationContext{
			TraceID: sentry.TraceID(sc.TraceID()),
			SpanID:  sentry.SpanID(sc.SpanID()),
		})
		scope.SetTag("trace_id", sc.TraceID().String())
	}
	scope.SetTag("route", f.Route)
	scope.SetTag("http.method", f.Method)
	scope.SetTag("http.status_code", strconv.Itoa(f.Status))
	scope.SetContext("request", sentry.Context{"method": f.Method, "path": f.Path, "route": f.Route})
	// Reports of one route and status group together whatever the message.
	scope.SetFingerprint([]string{"{{ default }}", f.Method, f.Route, strconv.Itoa(f.Status)})
	switch {
	case f.Panic != nil:
		// Called on the panicking goroutine, before it unwinds: the stack
		// taken here runs through the frame that panicked.
		ev := s.client.EventFromException(fmt.Errorf("panic: %v", f.Panic), sentry.LevelFatal)
		if n := len(ev.Exception); n > 0 && ev.Exception[n-1].Stacktrace == nil {
			ev.Exception[n-1].Stacktrace = sentry.NewStacktrace()
		}
		hub.CaptureEvent(ev)
	case f.Err != nil:
		hub.CaptureException(f.Err)
	default:
		scope.SetLevel(sentry.LevelError)
		hub.CaptureMessage(fmt.Sprintf("%s %s answered %d", f.Method, f.Route, f.Status))
	}
}

func (s *sentryReporter) Flush(ctx context.Context) {
	s.client.FlushWithContext(ctx)
}

// sampled decides from the trace ID when there is one, so every process on a
// trace makes the same choice.
func sampled(ctx context.Context, rate float64) bool {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return rate > 0
	}
	id := sc.TraceID()
	var n uint64
	for _, b := range id[8:] {
		n = n<<8 | uint64(b)
	}
	return float64(n>>11)/float64(1<<53) < rate
}

// budget is a token bucket: n reports per period, refilled continuously.
type budget struct {
	mu     sync.Mutex
	tokens float64
	max    float64
	rate   float64 // tokens per nanosecond
	last   time.Time
}

func newBudget(n int, per time.Duration) *budget {
	return &budget{tokens: float64(n), max: float64(n), rate: float64(n) / float64(per)}
}

func (b *budget) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens = min(b.max, b.tokens+float64(now.Sub(b.last))*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
