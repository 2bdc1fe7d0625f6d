// Package storage is the storage target: uploads (resumable tus 1.0 and
// one-request), checksums, quotas, the objects in the shared blob store,
// downloads with range streaming, signed links, and the derivatives
// processing makes.
//
// tus.go wraps tusd (creation checks, checksum and expiration) and,
// with content_put.go, content_get.go and link_*.go, is the thin HTTP
// side; app_*.go are the application layer those handlers, the consumers
// and the sweeper call: app_uploads.go reserves, app_finish.go turns
// received bytes into a media item's current file (sniff.go checks them by
// content), app_links.go and app_derivatives.go; content_get.go serves
// downloads over range reads of the bucket (rangeread.go); store*.go are
// the repository (the only SQL), which records events (payloads built in
// events.go) in the same transaction as each change; views.go holds the
// HTTP views (…JSON); saga.go holds the consumers (decoding, then the app
// layer on the repository bound to the pipeline's transaction) and
// sweep.go the crash recovery and clean-up, run on the target's lifecycle
// group.
package storage

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are storage's goose migrations, at the root of the FS as goose
// expects. fs.Sub cannot fail for a directory embedded above.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// Service is the running storage target.
type Service struct {
	cfg     Config
	db      *db.DB
	store   *Store
	events  *events.Pipeline
	bucket  *blob.Bucket
	presign bool
	access  AccessChecker
	// downloads is access behind the access cache (access_cache.go), or
	// access itself when the cache is off; accessCache is nil then.
	downloads   AccessChecker
	accessCache accessCache
	tus         *tusUploads
	tmpDir      string
	links       linkSigner
	metrics     *metrics
	log         *slog.Logger
	now         func() time.Time

	// finishing holds the IDs of uploads being finished in this process.
	finishing sync.Map
	// background runs the sweeper (and the pipeline); ownBackground is set
	// when New made it (no d.Background), so Close stops it.
	background    *lifecycle.Group
	ownBackground bool

	// publicURL is the external base URL of the links handed out (no
	// trailing slash; empty: the request's); trustForwarded lets
	// X-Forwarded-* headers name it.
	publicURL      string
	trustForwarded bool
	// spooling holds the IDs of uploads a checksummed chunk is being
	// spooled for; spoolSlots bounds those chunks (checksum.go).
	spooling   sync.Map
	spoolSlots chan struct{}
}

// New opens the store and the bucket (d.Blob), registers the routes and
// starts the event pipeline and the sweeper. Catalog is asked about access
// at cfg.CatalogURL, or d.IdentityURL when unset (one address in all mode).
func New(ctx context.Context, cfg Config, d module.Deps) (*Service, error) {
	base := cfg.CatalogURL
	if base == "" {
		base = d.IdentityURL
	}
	client := d.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return newService(ctx, cfg, d, catalogAccess{base: base, client: client, serviceKey: d.ServiceKey}, time.Now)
}

func newService(ctx context.Context, cfg Config, d module.Deps, access AccessChecker, clock func() time.Time) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Bus == nil {
		return nil, errors.New("storage: no event bus")
	}
	log := d.Log()
	bucket, err := blob.Open(ctx, d.Blob, d.DataDir)
	if err != nil {
		return nil, err
	}
	store, err := db.Open(ctx, d.DB, db.Options{Service: "storage", DataDir: d.DataDir, Schema: d.DBSchema})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("storage store: %w", err), bucket.Close())
	}
	fail := func(err error) (*Service, error) { return nil, errors.Join(err, store.Close(), bucket.Close()) }
	if _, err := store.Migrate(ctx, Migrations); err != nil {
		return fail(fmt.Errorf("storage store: %w", err))
	}
	m, err := newMetrics(d.Metrics)
	if err != nil {
		return fail(fmt.Errorf("storage metrics: %w", err))
	}
	if d.Metrics != nil {
		if err := store.RegisterMetrics(d.Metrics, "storage"); err != nil {
			return fail(fmt.Errorf("storage metrics: %w", err))
		}
	}
	var ownBackground bool
	d.Background, ownBackground = d.Group("storage")
	pipeline, err := events.New(ctx, d.EventsSetup("storage", store))
	if err != nil {
		return fail(fmt.Errorf("storage events: %w", err))
	}
	s := &Service{
		cfg: cfg, db: store, store: &Store{db: store, events: pipeline}, events: pipeline, bucket: bucket,
		presign: d.Blob.PresignDownloads, access: access, metrics: m, log: log.With(slog.String("service", "storage")),
		now: func() time.Time { return stamp(clock()) }, spoolSlots: make(chan struct{}, maxSpooling),
		background: d.Background, ownBackground: ownBackground,
	}
	key, err := s.store.Secret(ctx, "download_links")
	if err != nil {
		return fail(err)
	}
	s.links = linkSigner{key: key}
	if err := s.openAccessCache(ctx); err != nil {
		return fail(err)
	}
	closeCache := func(err error) error {
		if s.accessCache != nil {
			return errors.Join(err, s.accessCache.Close())
		}
		return err
	}
	s.publicURL, s.trustForwarded = strings.TrimRight(cmp.Or(cfg.PublicURL, d.PublicURL), "/"), d.TrustForwarded
	s.tmpDir = filepath.Join(d.DataDir, "uploads", "tmp")
	if err := os.MkdirAll(s.tmpDir, 0o750); err != nil {
		return fail(closeCache(fmt.Errorf("upload directory: %w", err)))
	}
	if s.tus, err = s.newTus(); err != nil {
		return fail(closeCache(err))
	}
	s.register(d)
	pipeline.RegisterAdmin(d.API)
	s.handleEvents(pipeline)
	s.handleAccessEvents(pipeline)
	if err := pipeline.Start(); err != nil {
		return fail(closeCache(fmt.Errorf("storage events: %w", err)))
	}
	if err := d.Background.Go("sweeper", s.runSweeper); err != nil {
		return fail(closeCache(errors.Join(fmt.Errorf("storage sweeper: %w", err), pipeline.Close(ctx))))
	}
	return s, nil
}

// register mounts the routes: tus and the raw upload and downloads on the
// mux (they stream bodies huma would buffer), signed links through huma.
func (s *Service) register(d module.Deps) {
	d.Mux.HandleFunc(tusBase, s.serveTus)
	d.Mux.HandleFunc(tusBase+"/", s.serveTus)
	d.Mux.HandleFunc("PUT /v1/media/{id}/content", s.putContent)
	// A GET pattern also answers HEAD.
	d.Mux.HandleFunc("GET /v1/media/{id}/content", s.getContent)
	d.Mux.HandleFunc("GET /v1/media/{id}/derivatives/{name}", s.getDerivative)
	d.Mux.HandleFunc("GET /v1/media/{id}/signed/{link}/{expires}/{sig}/{name}", s.getSignedDerivative)
	s.registerLinkCreate(d.API)
	s.registerLinkList(d.API)
	s.registerLinkRevoke(d.API)
	describeRoutes(d.API)
}

// Ready pings the database and the object store: without either no upload
// or download can be served. The store's own error is not repeated (it
// names endpoints and /readyz is public); the requests that fail log it.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return err
	}
	// The probe's 2 s are shared by every target of the process: an
	// unreachable store (the S3 client retries) must not use them all.
	bctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	ok, err := s.bucket.IsAccessible(bctx)
	switch {
	case err != nil:
		return errors.New("object store unreachable")
	case !ok:
		return errors.New("object store: the bucket does not exist")
	}
	return nil
}

// Close stops the background work (the event pipeline stops the group it
// runs in, the sweeper's too), then releases the store and the bucket.
func (s *Service) Close(ctx context.Context) error {
	err := s.events.Close(ctx)
	if s.ownBackground {
		err = errors.Join(err, s.background.Stop(ctx))
	}
	if s.accessCache != nil {
		err = errors.Join(err, s.accessCache.Close())
	}
	return errors.Join(err, s.db.Close(), s.bucket.Close())
}

// openAccessCache puts the download access checks behind a cache: Redis
// when configured, else in memory; none when the TTL is 0.
func (s *Service) openAccessCache(ctx context.Context) error {
	s.downloads = s.access
	if s.cfg.AccessCacheTTL == 0 {
		return nil
	}
	var err error
	if s.cfg.RedisURL != "" {
		s.accessCache, err = newRedisAccessCache(ctx, s.cfg.RedisURL, "alexandria:storage:access:", s.cfg.AccessCacheTTL)
	} else {
		s.accessCache, err = newMemoryAccessCache(s.cfg.AccessCacheTTL, s.cfg.AccessCacheSize)
	}
	if err != nil {
		return fmt.Errorf("storage access cache: %w", err)
	}
	s.downloads = cachedAccess{next: s.access, cache: s.accessCache,
		hit: func(result string) { s.metrics.accessCache.WithLabelValues(result).Inc() }}
	return nil
}

// MigrationsFS implements module.Migrations.
func (s *Service) MigrationsFS() fs.FS { return Migrations }
