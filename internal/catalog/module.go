// Package catalog is the catalog target: authors (public profiles with
// member accounts), media items (books, documents, podcasts, videos) and the
// category tree, with their lifecycle and moderation states.
//
// Rules live in package domain; app_*.go are the commands and queries (the
// use cases) that the HTTP handlers and the event consumers call;
// store*.go is the bun repository, the only place with SQL, which records
// every change's events in its transaction (events.go, payloads in
// events_payload.go); saga.go and consume_*.go hold the event consumers,
// which get the store bound to their transaction; each noun_verb.go file is one thin HTTP operation
// (decode, find the caller, call the app layer, encode a view from
// views.go).
package catalog

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are catalog's goose migrations, at the root of the FS as goose
// expects. fs.Sub cannot fail for a directory embedded above.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// Service is the running catalog.
type Service struct {
	db     *db.DB
	store  *Store
	dir    UserDirectory
	limits domain.Limits
	events *events.Pipeline
	// reads is the anonymous read cache (read_cache.go); nil without one.
	reads *readCache
	// serviceKey authenticates services asking on a user's behalf
	// (media_access.go).
	serviceKey string
	// now is the clock of every change, normalised as stored (domain.Stamp).
	now func() time.Time
}

// New opens and migrates the catalog store and registers its routes. Users
// are looked up in identity over HTTP at d.IdentityURL.
func New(ctx context.Context, cfg Config, d module.Deps) (*Service, error) {
	return NewWithDirectory(ctx, cfg, d, NewHTTPDirectory(d.IdentityURL, d.HTTPClient))
}

// NewWithDirectory is New with the user directory given (tests pass a fake).
func NewWithDirectory(ctx context.Context, cfg Config, d module.Deps, dir UserDirectory) (*Service, error) {
	return newService(ctx, cfg, d, dir, time.Now)
}

// newService builds the catalog reading the time from clock.
func newService(ctx context.Context, cfg Config, d module.Deps, dir UserDirectory, clock func() time.Time) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Bus == nil {
		return nil, errors.New("catalog: no event bus")
	}
	store, err := db.Open(ctx, d.DB, db.Options{Service: "catalog", DataDir: d.DataDir, Schema: d.DBSchema})
	if err != nil {
		return nil, fmt.Errorf("catalog store: %w", err)
	}
	if _, err := store.Migrate(ctx, Migrations); err != nil {
		return nil, errors.Join(fmt.Errorf("catalog store: %w", err), store.Close())
	}
	if d.Metrics != nil {
		if err := store.RegisterMetrics(d.Metrics, "catalog"); err != nil {
			return nil, errors.Join(fmt.Errorf("catalog metrics: %w", err), store.Close())
		}
	}
	// EventsSetup carries the process's tracer provider; it is set there only.
	pipeline, err := events.New(ctx, d.EventsSetup("catalog", store))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("catalog events: %w", err), store.Close())
	}
	reads, err := newReadCache(cfg.ReadCacheTTL, cfg.ReadCacheSize)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("catalog read cache: %w", err), store.Close())
	}
	st := NewStore(store).WithEvents(pipeline)
	if reads != nil {
		st = st.WithChanged(reads.forgetSubject)
	}
	s := &Service{db: store, store: st, dir: dir, limits: cfg.limits(), events: pipeline, reads: reads,
		serviceKey: d.ServiceKey, now: func() time.Time { return domain.Stamp(clock()) }}
	s.register(d.API)
	pipeline.RegisterAdmin(d.API)
	s.handleEvents(pipeline)
	if err := pipeline.Start(); err != nil {
		reads.close()
		return nil, errors.Join(fmt.Errorf("catalog events: %w", err), store.Close())
	}
	return s, nil
}

// Ready pings the store.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }

// Close stops the event pipeline (an event being handled finishes or is
// left for redelivery), then releases the store.
func (s *Service) Close(ctx context.Context) error {
	err := errors.Join(s.events.Close(ctx), s.db.Close())
	s.reads.close()
	return err
}

// MigrationsFS implements module.Migrations.
func (s *Service) MigrationsFS() fs.FS { return Migrations }
