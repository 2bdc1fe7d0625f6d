// Package search is the search target: full-text and faceted search over
// the catalog and inside every item's extracted text, built only from
// events (catalog's authors, media and categories; processing's results)
// and the text storage serves publicly.
//
// consume.go updates the index from events through the app layer (app.go);
// app_text.go fetches extracted text in the background; store*.go hold all
// the SQL (store_fts.go the parts that differ between SQLite FTS5 and
// PostgreSQL full text); domain/ reads queries, folds text, highlights.
package search

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are search's goose migrations.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// Service is the running search target.
type Service struct {
	cfg    Config
	db     *db.DB
	store  *Store
	app    *app
	events *events.Pipeline

	group    *lifecycle.Group
	ownGroup bool
}

// OpenStore opens and migrates search's store (the service and the
// reindex command share it).
func OpenStore(ctx context.Context, d module.Deps) (*db.DB, *Store, error) {
	store, err := db.Open(ctx, d.DB, db.Options{Service: "search", DataDir: d.DataDir, Schema: d.DBSchema})
	if err != nil {
		return nil, nil, fmt.Errorf("search store: %w", err)
	}
	if _, err := store.Migrate(ctx, Migrations); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("search store: %w", err), store.Close())
	}
	st := newStore(store)
	if err := st.ensureFTS(ctx); err != nil {
		return nil, nil, errors.Join(err, store.Close())
	}
	return store, st, nil
}

// New opens the store, registers the routes and the consumers, and starts
// the text fetcher. Extracted text is fetched from storage at
// cfg.StorageURL, or d.IdentityURL when unset (this process in all mode).
func New(ctx context.Context, cfg Config, d module.Deps) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Bus == nil {
		return nil, errors.New("search: no event bus")
	}
	log := d.Log()
	log = log.With(slog.String("service", "search"))
	m, err := newMetrics(d.Metrics)
	if err != nil {
		return nil, fmt.Errorf("search metrics: %w", err)
	}
	store, st, err := OpenStore(ctx, d)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Service, error) { return nil, errors.Join(err, store.Close()) }
	if d.Metrics != nil {
		if err := store.RegisterMetrics(d.Metrics, "search"); err != nil {
			return fail(fmt.Errorf("search metrics: %w", err))
		}
	}
	key, err := st.Secret(ctx, "page_tokens")
	if err != nil {
		return fail(err)
	}
	group, ownGroup := d.Group("search")
	setup := d.EventsSetup("search", store)
	setup.Group = group
	pipeline, err := events.New(ctx, setup)
	if err != nil {
		return fail(fmt.Errorf("search events: %w", err))
	}
	s := &Service{cfg: cfg, db: store, store: st, events: pipeline, group: group, ownGroup: ownGroup}
	s.app = &app{store: st, cfg: cfg, log: log, m: m, tokenKey: key, wake: make(chan struct{}, 1),
		now: func() time.Time { return time.Now().UTC() }}
	s.register(d.API)
	pipeline.RegisterAdmin(d.API)
	s.handleEvents(pipeline)
	if err := pipeline.Start(); err != nil {
		return fail(fmt.Errorf("search events: %w", err))
	}
	base := cfg.StorageURL
	if base == "" {
		base = d.IdentityURL
	}
	client := d.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	tc := textClient{base: base, client: client}
	if err := group.Go("text-fetcher", func(ctx context.Context) error { return s.app.runTextFetcher(ctx, tc) }); err != nil {
		return fail(errors.Join(fmt.Errorf("search text fetcher: %w", err), pipeline.Close(ctx)))
	}
	if err := group.Go("popularity", s.app.runPopularity); err != nil {
		return fail(errors.Join(fmt.Errorf("search popularity: %w", err), pipeline.Close(ctx)))
	}
	return s, nil
}

// Ready pings the store and, when the service owns its background group,
// reports its failures.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return err
	}
	if s.ownGroup {
		return s.group.Err()
	}
	return nil
}

// Close stops the background work, then releases the store.
func (s *Service) Close(ctx context.Context) error {
	var errs []error
	if s.ownGroup {
		errs = append(errs, s.group.Stop(ctx))
	}
	errs = append(errs, s.events.Close(ctx), s.db.Close())
	return errors.Join(errs...)
}

// MigrationsFS implements module.Migrations.
func (s *Service) MigrationsFS() fs.FS { return Migrations }
