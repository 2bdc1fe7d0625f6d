// Package module is the contract between the application shell (internal/app)
// and each service: what the shell hands a service when it builds it, and
// what a built service must offer back.
package module

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

// Deps is everything a service gets from the process. Nothing is global: two
// copies of a service in one process get two Deps.
type Deps struct {
	Logger  *slog.Logger
	Metrics prometheus.Registerer
	Tracing *telemetry.Tracing
	// API is the process's huma API; services register their operations on it.
	API huma.API
	// Mux carries routes that are not JSON operations (e.g. the JWKS).
	Mux *http.ServeMux
	// DB and DataDir locate the service's own store (see db.Open).
	DB      db.Config
	DataDir string
	// DBSchema overrides the PostgreSQL schema name (tests use throwaway ones).
	DBSchema string
	// Verifier checks access tokens locally from identity's keys.
	Verifier *auth.Verifier
	// IdentityURL is identity's base URL, in this process or another.
	IdentityURL string
	// PublicURL is the URL users reach the platform at (http.public_url;
	// empty when not configured): links a service hands out start with it.
	PublicURL string
	// TrustForwarded says a proxy in front sets X-Forwarded-* headers
	// (http.trust_forwarded_for); otherwise services ignore them.
	TrustForwarded bool
	// ServiceKey authenticates calls between services that act for a user
	// who is not the caller (storage asking catalog about a signed link's
	// creator). Every process of one deployment must share it.
	ServiceKey string
	// Blob locates the shared object store (blob.Open).
	Blob blob.Config
	// Bus is the process's event transport; Events tunes delivery. Services
	// build their events.Pipeline from them.
	Bus    bus.Transport
	Events events.Config
	// RelayGate, when set, holds every relay until it is closed: the shell
	// closes it once all targets in the process have subscribed, so a
	// broker that only keeps messages for existing queues (RabbitMQ,
	// Pub/Sub, SNS/SQS) loses none of the first events.
	RelayGate <-chan struct{}
	// Background is the target's background work (relay, consumers,
	// workers, sweepers). The shell reports its failures in /readyz and
	// stops it before Close; nil lets each piece keep a group of its own.
	Background *lifecycle.Group
	// HTTPClient calls other services; it propagates trace context.
	HTTPClient *http.Client
	// Out is where a service prints what an operator must see once (the
	// generated admin password); normally stdout.
	Out func(format string, args ...any)
	// SettleLater lets a target's New return before a slow part of its
	// start is done (identity's first administrator, whose password hash
	// takes a CPU for a while), so the next targets start meanwhile: the
	// shell then calls Settle (see Settler) on every target before it
	// reports ready. Unset, New returns only once the target is started.
	SettleLater bool
}

// Service is a built, running target.
type Service interface {
	// Ready reports whether the service can serve traffic (its store answers).
	Ready(ctx context.Context) error
	// Close stops background work and releases the store. It is called once,
	// in reverse start order, after the HTTP server has drained.
	Close(ctx context.Context) error
}

// Fronting is implemented by a target that answers requests before the
// process's router (the web app: its pages are every path the API does not
// claim). Front wraps the router; it must pass on what it does not answer.
type Fronting interface {
	Front(next http.Handler) http.Handler
}

// Settler is implemented by a target that, built with Deps.SettleLater,
// may still be finishing its start when New returns. Settle waits for that
// work and returns its error; the start fails on an error, as it would have
// in New. It may be called more than once.
type Settler interface {
	Settle(ctx context.Context) error
}

// Drainer is implemented by a target that holds long requests open (the
// notify SSE stream): Drain is called when the HTTP server starts shutting
// down, so those requests end and the drain does not wait for its deadline.
type Drainer interface {
	Drain()
}

// Migrations is implemented by targets that own tables.
type Migrations interface {
	// MigrationsFS returns the service's goose migrations (see db.Migrate).
	MigrationsFS() fs.FS
}

// Log is the process's logger, or one that discards when none was given
// (a service built by a test).
func (d Deps) Log() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// Group is the service's background group: the shell's d.Background, or,
// when a test builds the service without one, a new group named name that
// the service owns (own is true) and stops in its Close.
func (d Deps) Group(name string) (g *lifecycle.Group, own bool) {
	if d.Background != nil {
		return d.Background, false
	}
	return lifecycle.NewGroup(name, d.Log()), true
}

// EventsSetup is the events pipeline setup of a service with this process's
// bus, delivery settings, logger, metrics, tracer and relay gate.
func (d Deps) EventsSetup(service string, store *db.DB) events.Setup {
	s := events.Setup{Service: service, DB: store, Bus: d.Bus, Config: d.Events, Logger: d.Logger,
		Metrics: d.Metrics, RelayGate: d.RelayGate, Group: d.Background}
	if d.Tracing != nil {
		s.Tracer = d.Tracing.Provider
	}
	return s
}
