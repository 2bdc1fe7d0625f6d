// Package catalog is the catalog target: authors (public profiles with
// member accounts), media items (books, documents, podcasts, videos) and the
// category tree, with their lifecycle and moderation states.
//
// Rules live in package domain; store*.go is the bun repository; each
// noun_verb.go file is one HTTP operation and its use case.
package catalog

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
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
}

// New opens and migrates the catalog store and registers its routes. Users
// are looked up in identity over HTTP at d.IdentityURL.
func New(ctx context.Context, cfg Config, d module.Deps) (*Service, error) {
	return NewWithDirectory(ctx, cfg, d, NewHTTPDirectory(d.IdentityURL, d.HTTPClient))
}

// NewWithDirectory is New with the user directory given (tests pass a fake).
func NewWithDirectory(ctx context.Context, cfg Config, d module.Deps, dir UserDirectory) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
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
	s := &Service{db: store, store: NewStore(store), dir: dir, limits: cfg.limits()}
	s.register(d.API)
	return s, nil
}

// Ready pings the store.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }

// Close releases the store.
func (s *Service) Close(context.Context) error { return s.db.Close() }

// MigrationsFS implements module.Migrations.
func (s *Service) MigrationsFS() fs.FS { return Migrations }
