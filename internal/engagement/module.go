// Package engagement is the engagement target: follows, likes, views and
// plays, reading and listening progress, and the home feed. It learns what
// exists and what is visible from catalog's events (consume.go) and keeps
// its own read model of it.
//
// Rules live in package domain; app*.go are the commands and queries the
// handlers and consumers call; store*.go is the repository, the only place
// with SQL; each noun_verb.go file is one thin HTTP operation.
package engagement

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/clock"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are engagement's goose migrations.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// Service is the running engagement target.
type Service struct {
	db      *db.DB
	store   *Store
	events  *events.Pipeline
	log     *slog.Logger
	metrics *metrics
	views   *viewBuffer
	// visibility answers the view path's "is this item visible?"
	visibility *visibilityCache
	tokens     *tokenChecker
	owners     owners
	group      *lifecycle.Group
	ownGroup   bool
	now        func() time.Time

	// flushMu serialises flushes; prunedHour is the hour the view_hours
	// table was last pruned in.
	flushMu    sync.Mutex
	prunedHour int64

	saltMu    sync.Mutex
	saltDay   string
	saltValue []byte
}

// New opens and migrates engagement's store, registers its routes and
// consumers, and starts counting views.
func New(ctx context.Context, cfg Config, d module.Deps) (*Service, error) {
	return newService(ctx, cfg, d, time.Now)
}

func newService(ctx context.Context, cfg Config, d module.Deps, now func() time.Time) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Bus == nil {
		return nil, errors.New("engagement: no event bus")
	}
	store, err := db.Open(ctx, d.DB, db.Options{Service: "engagement", DataDir: d.DataDir, Schema: d.DBSchema})
	if err != nil {
		return nil, fmt.Errorf("engagement store: %w", err)
	}
	s, err := build(ctx, cfg, d, store, now)
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	return s, nil
}

func build(ctx context.Context, cfg Config, d module.Deps, store *db.DB, now func() time.Time) (*Service, error) {
	if _, err := store.Migrate(ctx, Migrations); err != nil {
		return nil, fmt.Errorf("engagement store: %w", err)
	}
	if d.Metrics != nil {
		if err := store.RegisterMetrics(d.Metrics, "engagement"); err != nil {
			return nil, fmt.Errorf("engagement metrics: %w", err)
		}
	}
	m, err := newMetrics(d.Metrics)
	if err != nil {
		return nil, fmt.Errorf("engagement metrics: %w", err)
	}
	log := d.Log()
	group, ownGroup := d.Group("engagement")
	setup := d.EventsSetup("engagement", store)
	setup.Group = group
	pipeline, err := events.New(ctx, setup)
	if err != nil {
		return nil, fmt.Errorf("engagement events: %w", err)
	}
	s := &Service{db: store, store: NewStore(store).WithEvents(pipeline), events: pipeline, log: log, metrics: m,
		views: newViewBuffer(cfg.ViewBufferLimit), visibility: newVisibilityCache(cfg.VisibilityCacheTTL, 100_000), group: group, ownGroup: ownGroup,
		now: func() time.Time { return clock.Stamp(now()) }}
	s.tokens = &tokenChecker{identityURL: d.IdentityURL, client: d.HTTPClient, verifier: d.Verifier, ttl: cfg.TokenCacheTTL,
		now: time.Now, cache: map[[32]byte]cachedToken{}}
	if s.tokens.client == nil {
		s.tokens.client = &http.Client{Timeout: 10 * time.Second}
	}
	s.owners = owners{catalogURL: strings.TrimSuffix(cfg.CatalogURL, "/"), identityURL: strings.TrimSuffix(d.IdentityURL, "/"), client: s.tokens.client}
	if s.owners.catalogURL == "" {
		s.owners.catalogURL = s.owners.identityURL
	}
	s.register(d.API)
	pipeline.RegisterAdmin(d.API)
	s.handleEvents(pipeline)
	if err := pipeline.Start(); err != nil {
		return nil, fmt.Errorf("engagement events: %w", err)
	}
	if err := group.Go("view counter", s.runViewFlusher(cfg.ViewFlushInterval)); err != nil {
		return nil, errors.Join(fmt.Errorf("engagement: %w", err), s.stopOwnGroup(ctx))
	}
	if cfg.MQTTURL != "" {
		run, err := s.runMQTT(cfg)
		if err == nil {
			err = group.Go("mqtt progress", run)
		}
		if err != nil {
			return nil, errors.Join(fmt.Errorf("engagement: %w", err), s.stopOwnGroup(ctx))
		}
	}
	return s, nil
}

// Ready pings the store.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }

// Close stops the event pipeline and (when engagement owns it) its
// background work, which counts the views still buffered, then releases
// the store.
func (s *Service) Close(ctx context.Context) error {
	return errors.Join(s.events.Close(ctx), s.stopOwnGroup(ctx), s.db.Close())
}

func (s *Service) stopOwnGroup(ctx context.Context) error {
	if !s.ownGroup {
		return nil
	}
	return s.group.Stop(ctx)
}

// MigrationsFS implements module.Migrations.
func (s *Service) MigrationsFS() fs.FS { return Migrations }
