// Package analytics is the analytics target: trending computed as a stream
// (Φ = ω + υ over tumbling hour, day and week windows), creator statistics,
// the Parquet data lake of every catalog and engagement event, and the
// related items the Python job computes.
//
// Rules live in package domain; app.go holds the stream's updates and the
// queries; store*.go is the repository, the only place with SQL; lake.go
// writes Parquet; each noun_verb.go file is one thin HTTP operation.
package analytics

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/analytics/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are analytics' goose migrations.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// Service is the running analytics target.
type Service struct {
	db           *db.DB
	store        *Store
	events       *events.Pipeline
	log          *slog.Logger
	metrics      *metrics
	lake         *lake
	lakeMu       sync.Mutex // one flush or compaction at a time
	compactAfter time.Duration
	stream       *forwarder // nil: no external stream
	weights      domain.Weights
	lateness     time.Duration
	group        *lifecycle.Group
	ownGroup     bool
	now          func() time.Time
}

// New opens and migrates analytics' store, registers its routes and
// consumers (sources: the event types the lake records, per topic), and
// starts the lake writer.
func New(ctx context.Context, cfg Config, d module.Deps, sources Sources) (*Service, error) {
	return newService(ctx, cfg, d, sources, time.Now)
}

func newService(ctx context.Context, cfg Config, d module.Deps, sources Sources, now func() time.Time) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Bus == nil {
		return nil, errors.New("analytics: no event bus")
	}
	lk, err := openLake(ctx, cfg.LakeURL, d.DataDir)
	if err != nil {
		return nil, err
	}
	store, err := db.Open(ctx, d.DB, db.Options{Service: "analytics", DataDir: d.DataDir, Schema: d.DBSchema})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("analytics store: %w", err), lk.close())
	}
	s, err := build(ctx, cfg, d, store, sources, lk, now)
	if err != nil {
		return nil, errors.Join(err, store.Close(), lk.close())
	}
	return s, nil
}

func build(ctx context.Context, cfg Config, d module.Deps, store *db.DB, sources Sources, lk *lake, now func() time.Time) (*Service, error) {
	if _, err := store.Migrate(ctx, Migrations); err != nil {
		return nil, fmt.Errorf("analytics store: %w", err)
	}
	if d.Metrics != nil {
		if err := store.RegisterMetrics(d.Metrics, "analytics"); err != nil {
			return nil, fmt.Errorf("analytics metrics: %w", err)
		}
	}
	m, err := newMetrics(d.Metrics)
	if err != nil {
		return nil, fmt.Errorf("analytics metrics: %w", err)
	}
	log := d.Log()
	group, ownGroup := d.Group("analytics")
	setup := d.EventsSetup("analytics", store)
	setup.Group = group
	pipeline, err := events.New(ctx, setup)
	if err != nil {
		return nil, fmt.Errorf("analytics events: %w", err)
	}
	s := &Service{db: store, store: NewStore(store), events: pipeline, log: log, metrics: m, lake: lk,
		weights: cfg.weights(), lateness: cfg.Lateness, compactAfter: cfg.LakeCompactAfter, group: group, ownGroup: ownGroup, now: now}
	if cfg.StreamURL != "" {
		if s.stream, err = newForwarder(ctx, cfg.StreamURL); err != nil {
			return nil, err
		}
	}
	s.register(d.API)
	pipeline.RegisterAdmin(d.API)
	s.handleEvents(pipeline, sources)
	if err := pipeline.Start(); err != nil {
		return nil, fmt.Errorf("analytics events: %w", err)
	}
	if err := group.Go("lake writer", s.runLake(cfg.LakeFlushInterval, cfg.LakeCompactAfter)); err != nil {
		return nil, errors.Join(fmt.Errorf("analytics: %w", err), s.stopOwnGroup(ctx))
	}
	if s.stream != nil {
		if err := group.Go("kinesis forwarder", s.runStream(cfg.StreamInterval)); err != nil {
			return nil, errors.Join(fmt.Errorf("analytics: %w", err), s.stopOwnGroup(ctx))
		}
	}
	return s, nil
}

// Ready pings the store.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }

// Close stops the event pipeline and (when analytics owns it) the lake
// writer, which flushes what is staged, then releases the store.
func (s *Service) Close(ctx context.Context) error {
	return errors.Join(s.events.Close(ctx), s.stopOwnGroup(ctx), s.db.Close(), s.lake.close())
}

func (s *Service) stopOwnGroup(ctx context.Context) error {
	if !s.ownGroup {
		return nil
	}
	return s.group.Stop(ctx)
}

// MigrationsFS implements module.Migrations.
func (s *Service) MigrationsFS() fs.FS { return Migrations }

// metrics are analytics' own Prometheus series.
type metrics struct {
	consumed  *prometheus.CounterVec
	late      *prometheus.CounterVec
	lakeRows  prometheus.Counter
	lakeFiles *prometheus.CounterVec
	streamed  prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		consumed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "alexandria_analytics_events_total",
			Help: "Events consumed (and staged for the lake), by type."}, []string{"type"}),
		late: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "alexandria_analytics_late_events_total",
			Help: "Engagement events too late for a trending window (beyond the lateness), by window."}, []string{"window"}),
		lakeRows: prometheus.NewCounter(prometheus.CounterOpts{Name: "alexandria_analytics_lake_rows_total",
			Help: "Events written to lake files."}),
		lakeFiles: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "alexandria_analytics_lake_files_total",
			Help: "Lake files written or compacted."}, []string{"op"}),
		streamed: prometheus.NewCounter(prometheus.CounterOpts{Name: "alexandria_analytics_stream_records_total",
			Help: "Engagement events put on the external Kinesis stream."}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.consumed, m.late, m.lakeRows, m.lakeFiles, m.streamed} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
