package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/alexandria-platform/alexandria/internal/config"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

// Options are the process-level inputs that are not configuration.
type Options struct {
	Version string
	// Stdout receives what an operator must read (the URL, a generated
	// admin password); Stderr receives the logs.
	Stdout, Stderr io.Writer
	// Started, when set, receives the server's base URL once it serves.
	Started func(baseURL string)
	// OpsStarted, when set, receives the operations listener's base URL
	// (see http.ops_addr) once it serves; it is not called when there is none.
	OpsStarted func(opsURL string)

	// routed, when set (by tests), receives the public router once every
	// target has registered its routes.
	routed func(mux *http.ServeMux)
}

// running is one built target.
type running struct {
	name string
	svc  module.Service
	// background is the target's relay, consumers and workers: readiness
	// reports its failures, and it stops before the target closes.
	background *lifecycle.Group
}

// Run serves the targets named by spec until ctx is cancelled, then drains
// and stops them in reverse order.
func Run(ctx context.Context, c config.Config, spec string, o Options) error {
	selected, err := Select(spec)
	if err != nil {
		return err
	}
	log := telemetry.NewLogger(o.Stderr, c.Log)
	tracing, err := telemetry.NewTracing(ctx, c.Trace, "alexandria", o.Version)
	if err != nil {
		return err
	}
	defer shutdownTracing(log, tracing)
	reporter, err := telemetry.NewReporter(c.Sentry, o.Version, strings.Join(names(selected), ","), log)
	if err != nil {
		return err
	}
	defer flushReports(reporter)

	reg := prometheus.NewRegistry()
	if err := registerRuntime(reg); err != nil {
		return err
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", c.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("http.addr: %w", err)
	}
	defer ln.Close()
	selfURL := "http://" + loopbackAddr(ln.Addr())
	var opsLn net.Listener
	if c.HTTP.OpsAddr != "" {
		if opsLn, err = lc.Listen(ctx, "tcp", c.HTTP.OpsAddr); err != nil {
			return fmt.Errorf("http.ops_addr: %w", err)
		}
		defer opsLn.Close()
	}

	identityURL := c.IdentityURL
	if identityURL == "" {
		if selected[0].Name != "identity" {
			return errors.New("identity_url: required when identity runs in another process (ALEXANDRIA_IDENTITY_URL)")
		}
		identityURL = selfURL
	}

	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(tracing.Provider), otelhttp.WithPropagators(tracing.Propagator)),
	}
	verifier := auth.NewVerifier(auth.NewJWKSClient(identityURL+"/.well-known/jwks.json", client, 5*time.Minute))
	// Every target's tokens are checked against one revocation list, which
	// identity (here) or a follower of identity's feed (elsewhere) keeps.
	verifier.UseRevocations(auth.NewRevocations())

	transport, err := bus.Open(ctx, c.Bus.URL, bus.Options{Logger: log.With(slog.String("component", "bus")), DataDir: c.DataDir})
	if err != nil {
		return fmt.Errorf("bus.url: %w", err)
	}
	defer closeBus(log, transport)

	mux := http.NewServeMux()
	deps := module.Deps{
		Logger:      log,
		Metrics:     reg,
		Tracing:     tracing,
		API:         httpx.NewAPI(mux, o.Version),
		Mux:         mux,
		DB:          c.Database,
		DataDir:     c.DataDir,
		Verifier:    verifier,
		IdentityURL: identityURL,
		HTTPClient:  client,
		Bus:         transport,
		Blob:        c.Blob,
		Events:      c.Bus,
		Out:         func(format string, args ...any) { fmt.Fprintf(o.Stdout, format+"\n", args...) },
		SettleLater: true,
	}

	deps.PublicURL = c.HTTP.PublicURL
	// Forwarded headers are trusted exactly when client addresses are.
	deps.TrustForwarded = c.HTTP.TrustForwardedFor
	deps.ServiceKey = c.ServiceKey
	if deps.ServiceKey == "" {
		// Enough for the targets of this process; split deployments share one.
		deps.ServiceKey = rand.Text()
	}

	// Relays wait until every target here has subscribed (see RelayGate).
	relayGate := make(chan struct{})
	deps.RelayGate = relayGate
	var services []running
	defer func() { stopAll(log, services) }()
	// The stores are independent: bring every schema up to date at once,
	// so the targets then start one after another on migrated stores.
	migrated := time.Now()
	if err := migrateAll(ctx, c, selected); err != nil {
		return err
	}
	log.InfoContext(ctx, "stores migrated", slog.Duration("took", time.Since(migrated)))
	for _, t := range selected {
		start := time.Now()
		d := deps
		d.Logger = log.With(slog.String("target", t.Name))
		d.Background = lifecycle.NewGroup(t.Name, d.Logger)
		svc, err := t.New(ctx, c, d)
		if err != nil {
			stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return errors.Join(fmt.Errorf("start %s: %w", t.Name, err), d.Background.Stop(stopCtx))
		}
		services = append(services, running{name: t.Name, svc: svc, background: d.Background})
		log.InfoContext(ctx, "target started", slog.String("target", t.Name), slog.Duration("took", time.Since(start)))
	}
	// What a target left running at start (SettleLater) must be done before
	// the process reports ready; failing it fails the start.
	settled := time.Now()
	for _, s := range services {
		if st, ok := s.svc.(module.Settler); ok {
			if err := st.Settle(ctx); err != nil {
				return fmt.Errorf("start %s: %w", s.name, err)
			}
		}
	}
	log.InfoContext(ctx, "targets settled", slog.Duration("waited", time.Since(settled)))

	close(relayGate)
	stopFollowing, err := followRevocations(log, selected, verifier, identityURL, deps.ServiceKey, client)
	if err != nil {
		return err
	}
	defer stopFollowing()
	var ready atomic.Bool
	probes(mux, &ready, services)
	if o.routed != nil {
		o.routed(mux)
	}
	metrics, err := httpx.NewMetrics(reg)
	if err != nil {
		return err
	}
	var router http.Handler = mux
	for _, s := range services {
		if f, ok := s.svc.(module.Fronting); ok {
			router = f.Front(router)
		}
	}
	srv := &http.Server{
		Handler:           httpx.Edge(auth.Middleware(verifier)(httpx.RecordRoute(router)), log, metrics, tracing, httpx.EdgeOptions{TrustForwardedFor: c.HTTP.TrustForwardedFor, Reporter: reporter}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       c.HTTP.ReadTimeout,
		WriteTimeout:      c.HTTP.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	for _, s := range services {
		if d, ok := s.svc.(module.Drainer); ok {
			srv.RegisterOnShutdown(d.Drain)
		}
	}
	served := make(chan error, 2)
	go func() { served <- srv.Serve(ln) }()
	var opsSrv *http.Server
	if opsLn != nil {
		opsSrv = &http.Server{
			Handler:           opsHandler(reg, &ready, services, c.HTTP.OpsPprof),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    16 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		go func() { served <- fmt.Errorf("operations listener: %w", opsSrv.Serve(opsLn)) }()
	}
	ready.Store(true)
	go releaseStartupMemory()

	public := c.HTTP.PublicURL
	if public == "" {
		public = "http://localhost:" + portOf(ln.Addr())
	}
	// Printed before the public URL: whoever waits for that line knows both.
	if opsLn != nil {
		opsURL := "http://" + loopbackAddr(opsLn.Addr())
		fmt.Fprintf(o.Stdout, "Operations endpoints (/metrics, /livez, /readyz) at %s\n", opsURL)
		log.InfoContext(ctx, "serving operations", slog.String("addr", opsLn.Addr().String()))
		if o.OpsStarted != nil {
			o.OpsStarted(opsURL)
		}
	}
	fmt.Fprintf(o.Stdout, "Alexandria is running at %s (targets: %s; API docs at %s/docs)\n", public, spec, public)
	log.InfoContext(ctx, "serving", slog.String("addr", ln.Addr().String()), slog.Any("targets", names(selected)))
	if o.Started != nil {
		o.Started(selfURL)
	}

	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	// Report not-ready first so load balancers stop sending work, then let
	// in-flight requests finish within the drain deadline.
	ready.Store(false)
	log.InfoContext(ctx, "shutting down", slog.Duration("drain_deadline", c.HTTP.ShutdownTimeout))
	drain, cancel := context.WithTimeout(context.Background(), c.HTTP.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(drain); err != nil {
		log.WarnContext(drain, "drain deadline passed; closing connections", slog.Any("error", err))
		_ = srv.Close()
	}
	// The operations listener serves through the drain (the last scrape
	// shows it) and stops after it.
	if opsSrv != nil {
		if err := opsSrv.Shutdown(drain); err != nil {
			_ = opsSrv.Close()
		}
	}
	return nil
}

// releaseStartupMemory hands back to the system what starting left behind:
// the migrations' parse buffers (goose keeps 4 MiB ones in a sync.Pool),
// the first administrator's argon2id work area (19 MiB), rendered
// templates. Left alone, an idle process keeps those pages until the
// runtime's background scavenger gets to them, which takes minutes. It runs
// once, off the serving path.
func releaseStartupMemory() {
	runtime.GC() // the first cycle moves sync.Pool contents aside, the next drops them
	debug.FreeOSMemory()
}

// stopAll closes the targets in reverse start order within one shared
// deadline, so that with the HTTP drain and the bus the whole shutdown fits
// in a typical 30-second termination grace period.
func stopAll(log *slog.Logger, services []running) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := len(services) - 1; i >= 0; i-- {
		if err := services[i].background.Stop(ctx); err != nil {
			log.Error("target's background work did not stop", slog.String("target", services[i].name), slog.Any("error", err))
		}
		if err := services[i].svc.Close(ctx); err != nil {
			log.Error("target stop failed", slog.String("target", services[i].name), slog.Any("error", err))
		}
	}
}

// closeBus closes the transport, giving a broker client that hangs on
// close 5 seconds: the process is stopping either way.
func closeBus(log *slog.Logger, t bus.Transport) {
	done := make(chan error, 1)
	go func() { done <- t.Close() }()
	select {
	case err := <-done:
		if err != nil {
			log.Warn("closing the bus", slog.Any("error", err))
		}
	case <-time.After(5 * time.Second):
		log.Warn("the bus did not close within 5s; leaving it")
	}
}

// flushReports gives queued error reports 2 seconds to leave.
func flushReports(r telemetry.Reporter) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r.Flush(ctx)
}

func shutdownTracing(log *slog.Logger, t *telemetry.Tracing) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := t.Shutdown(ctx); err != nil {
		log.Warn("trace flush failed", slog.Any("error", err))
	}
}

func registerRuntime(reg *prometheus.Registry) error {
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// loopbackAddr turns a wildcard listen address into one this process can dial.
func loopbackAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || tcp.IP == nil || tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", portOf(a))
	}
	return tcp.String()
}

func portOf(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return strconv.Itoa(tcp.Port)
	}
	_, port, _ := net.SplitHostPort(a.String())
	return port
}
