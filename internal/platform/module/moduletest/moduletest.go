// Package moduletest builds what a service needs for component and
// repository tests: a store on SQLite and on the real PostgreSQL, and an
// HTTP server with the same edge middleware as production.
package moduletest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/auth/authtest"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// PostgresURL is the test server: TEST_POSTGRES_URL or the machine's local one.
func PostgresURL() string {
	if u := os.Getenv("TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Store is one backend a suite runs against.
type Store struct {
	Name   string
	Config db.Config
}

// Stores returns SQLite and, when its server answers, PostgreSQL. With
// TEST_REQUIRE_SERVERS=1 (set by CI) an absent PostgreSQL fails the test
// instead of skipping it.
func Stores(t testing.TB) []Store {
	t.Helper()
	out := []Store{{Name: "sqlite", Config: db.Config{MaxOpenConns: 4}}}
	pg := db.Config{URL: PostgresURL(), MaxOpenConns: 8, ConnMaxLifetime: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	probe, err := db.Open(ctx, pg, db.Options{Service: "probe", Schema: "public"})
	if err != nil {
		if testkit.RequireServers() {
			t.Fatalf("PostgreSQL required but unavailable: %v", err)
		}
		t.Logf("PostgreSQL unavailable, its cases are skipped: %v", err)
		return out
	}
	_ = probe.Close()
	return append(out, Store{Name: "postgres", Config: pg})
}

// Schema returns a throwaway PostgreSQL schema name for service.
func Schema(service string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("t_%s_%s", service, hex.EncodeToString(b[:]))
}

// OpenDB opens and migrates a fresh store for service on s; it is removed
// when the test ends.
func OpenDB(t testing.TB, s Store, service string, migrations fs.FS) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, s.Config, db.Options{Service: service, DataDir: t.TempDir(), Schema: Schema(service)})
	if err != nil {
		t.Fatalf("open %s store: %v", s.Name, err)
	}
	t.Cleanup(func() {
		_ = d.DropSchema(context.Background())
		_ = d.Close()
	})
	if _, err := d.Migrate(ctx, migrations); err != nil {
		t.Fatalf("migrate %s store: %v", s.Name, err)
	}
	return d
}

// FastEvents is the events configuration for tests: quick retries.
func FastEvents() events.Config {
	c := events.DefaultConfig()
	c.RetryInitial, c.RetryMax, c.MaxAttempts, c.RelayPoll = 5*time.Millisecond, 20*time.Millisecond, 3, 20*time.Millisecond
	return c
}

// Harness is a service under test behind a real HTTP server.
type Harness struct {
	Deps   module.Deps
	Issuer *authtest.Issuer
	Server *httptest.Server
	mux    *http.ServeMux
}

// NewHarness prepares Deps for a service on store s with a throwaway schema
// and data dir. Build the service with h.Deps, then call h.Start.
func NewHarness(t testing.TB, s Store) *Harness {
	t.Helper()
	mux := http.NewServeMux()
	issuer := authtest.NewIssuer(t)
	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	tracing, err := telemetry.NewTracing(context.Background(), telemetry.TraceConfig{SampleRatio: 1}, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	h := &Harness{
		Issuer: issuer,
		mux:    mux,
		Deps: module.Deps{
			Logger:     log,
			Metrics:    prometheus.NewRegistry(),
			Tracing:    tracing,
			API:        httpx.NewAPI(mux, "test"),
			Mux:        mux,
			DB:         s.Config,
			DataDir:    t.TempDir(),
			DBSchema:   Schema("h"),
			Verifier:   issuer.Verifier(),
			HTTPClient: &http.Client{Timeout: 10 * time.Second},
			Bus:        bus.NewMemory(nil),
			Events:     FastEvents(),
			Out:        func(string, ...any) {},
		},
	}
	if s.Config.URL != "" {
		schema := h.Deps.DBSchema
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			d, err := db.Open(ctx, s.Config, db.Options{Service: "cleanup", Schema: schema})
			if err == nil {
				_ = d.DropSchema(ctx)
				_ = d.Close()
			}
		})
	}
	return h
}

// Start serves the mux with production middleware and closes svc at cleanup.
func (h *Harness) Start(t testing.TB, svc module.Service) {
	t.Helper()
	m, err := httpx.NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	handler := httpx.Edge(auth.Middleware(h.Deps.Verifier)(httpx.RecordRoute(h.mux)), h.Deps.Logger, m, h.Deps.Tracing, httpx.EdgeOptions{})
	h.Server = httptest.NewServer(handler)
	t.Cleanup(func() {
		h.Server.Close()
		_ = svc.Close(context.Background())
	})
}
