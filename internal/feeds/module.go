// Package feeds is the feeds target: the open formats readers and players
// already speak, rendered from a read model of catalog's published media,
// authors and categories that catalog's events keep.
//
// consume.go copies the events' payloads into the read model (store*.go,
// the only SQL) through the app layer (app.go), which also keeps the cache
// of rendered documents and empties it once a change commits. The
// <noun>_get.go files are the thin HTTP handlers; views_*.go render Atom,
// JSON Feed, podcast RSS and OPDS from domain values.
package feeds

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the feeds' goose migrations, at the root of the FS as goose
// expects. fs.Sub cannot fail for a directory embedded above.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// Service is the running feeds target.
type Service struct {
	cfg            Config
	db             *db.DB
	store          *Store
	app            *app
	events         *events.Pipeline
	log            *slog.Logger
	publicURL      string
	trustForwarded bool
	// client calls other services (search, identity, engagement).
	client *http.Client
	basic  *basicAuth
	// serviceKey seals the API tokens of linked KOReader devices.
	serviceKey string
	// contentURL is where files are read to fingerprint them; hashWake
	// wakes the fingerprinting runner after a change.
	contentURL string
	// analyticsTimeout bounds a popular page's call to analytics.
	analyticsTimeout time.Duration
	hashWake         chan struct{}
	stopHasher       func()
}

// New opens and migrates the read model, registers the routes and starts
// consuming catalog's events.
func New(ctx context.Context, cfg Config, d module.Deps) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Bus == nil {
		return nil, errors.New("feeds: no event bus")
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	store, err := db.Open(ctx, d.DB, db.Options{Service: "feeds", DataDir: d.DataDir, Schema: d.DBSchema})
	if err != nil {
		return nil, fmt.Errorf("feeds store: %w", err)
	}
	fail := func(err error) (*Service, error) { return nil, errors.Join(err, store.Close()) }
	if _, err := store.Migrate(ctx, Migrations); err != nil {
		return fail(fmt.Errorf("feeds store: %w", err))
	}
	m, err := newMetrics(d.Metrics)
	if err != nil {
		return fail(fmt.Errorf("feeds metrics: %w", err))
	}
	if d.Metrics != nil {
		if err := store.RegisterMetrics(d.Metrics, "feeds"); err != nil {
			return fail(fmt.Errorf("feeds metrics: %w", err))
		}
	}
	pipeline, err := events.New(ctx, d.EventsSetup("feeds", store))
	if err != nil {
		return fail(fmt.Errorf("feeds events: %w", err))
	}
	st := newStore(store)
	// KOReader sync reaches engagement over HTTP: in all mode that is this
	// process, as for the content URL.
	cfg.EngagementURL = cmp.Or(cfg.EngagementURL, d.IdentityURL)
	// The popular pages ask analytics the same way.
	cfg.AnalyticsURL = cmp.Or(cfg.AnalyticsURL, d.IdentityURL)
	s := &Service{cfg: cfg, db: store, store: st, events: pipeline, log: log.With(slog.String("service", "feeds")),
		publicURL: strings.TrimRight(cmp.Or(cfg.PublicURL, d.PublicURL), "/"), trustForwarded: d.TrustForwarded,
		client: d.HTTPClient}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	s.serviceKey, s.hashWake, s.analyticsTimeout = d.ServiceKey, make(chan struct{}, 1), popularTimeout
	s.contentURL = strings.TrimRight(cmp.Or(cfg.ContentURL, d.IdentityURL), "/")
	s.basic = &basicAuth{identityURL: d.IdentityURL, client: s.client, verifier: d.Verifier, now: time.Now,
		seen: map[[32]byte]basicEntry{}}
	s.app = &app{changed: s.wakeHasher, store: st, cache: newCache(cfg.CacheEntries), log: s.log, metrics: m}
	s.register(d)
	pipeline.RegisterAdmin(d.API)
	s.consume(pipeline)
	if err := pipeline.Start(); err != nil {
		return fail(fmt.Errorf("feeds events: %w", err))
	}
	if d.Background != nil {
		if err := d.Background.Go("koreader-fingerprints", s.runKOReaderHasher); err != nil {
			return fail(errors.Join(fmt.Errorf("feeds fingerprints: %w", err), pipeline.Close(ctx)))
		}
	} else {
		s.stopHasher = s.startOwnHasher()
	}
	return s, nil
}

// Ready pings the store.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }

// Close stops the event pipeline and the fingerprinting, then releases
// the store.
func (s *Service) Close(ctx context.Context) error {
	err := s.events.Close(ctx)
	if s.stopHasher != nil {
		s.stopHasher()
	}
	return errors.Join(err, s.db.Close())
}

// startOwnHasher runs the fingerprinting when no lifecycle group was given
// (tests, benchmarks); the returned function stops it and waits.
func (s *Service) startOwnHasher() func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.runKOReaderHasher(ctx)
	}()
	return func() { cancel(); <-done }
}

// MigrationsFS implements module.Migrations.
func (s *Service) MigrationsFS() fs.FS { return Migrations }

// wakeHasher asks the fingerprinting runner to look for new files.
func (s *Service) wakeHasher() {
	select {
	case s.hashWake <- struct{}{}:
	default:
	}
}
