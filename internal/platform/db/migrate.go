package db

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strings"
	"testing/fstest"
	"text/template"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migration files are goose SQL files written once for both dialects. The few
// types that differ are template functions, rendered before goose reads them:
//
//	{{uuid}}       UUID         / TEXT
//	{{timestamp}}  TIMESTAMPTZ  / TIMESTAMP (bun stores UTC text in SQLite)
//	{{json}}       JSONB        / TEXT
//	{{blob}}       BYTEA        / BLOB
//	{{serial}}     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY / INTEGER PRIMARY KEY AUTOINCREMENT
//	{{int64key}}   BIGINT PRIMARY KEY / INTEGER PRIMARY KEY (the rowid: no second B-tree)
//	{{unlogged}}   UNLOGGED / nothing (CREATE {{unlogged}} TABLE: no WAL, emptied after a crash)
//
// and {{if sqlite}} … {{end}} keeps statements for SQLite alone (a table
// rebuilt to change what SQLite cannot ALTER).
var dialectTypes = map[Dialect]map[string]string{
	Postgres: {"uuid": "UUID", "timestamp": "TIMESTAMPTZ", "json": "JSONB", "blob": "BYTEA",
		"serial": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "int64key": "BIGINT PRIMARY KEY", "unlogged": "UNLOGGED"},
	SQLite: {"uuid": "TEXT", "timestamp": "TIMESTAMP", "json": "TEXT", "blob": "BLOB",
		"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "int64key": "INTEGER PRIMARY KEY", "unlogged": ""},
}

// render returns the migrations of fsys with the dialect's types filled in.
func render(fsys fs.FS, d Dialect) (fs.FS, error) {
	funcs := template.FuncMap{}
	for name, typ := range dialectTypes[d] {
		funcs[name] = func() string { return typ }
	}
	funcs["sqlite"] = func() bool { return d == SQLite }
	out := fstest.MapFS{}
	err := fs.WalkDir(fsys, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		src, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		t, err := template.New(path).Funcs(funcs).Parse(string(src))
		if err != nil {
			return fmt.Errorf("migration %s: %w", path, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, nil); err != nil {
			return fmt.Errorf("migration %s: %w", path, err)
		}
		out[path] = &fstest.MapFile{Data: b.Bytes()}
		return nil
	})
	return out, err
}

// DefaultVersionTable records a service's own migrations. Shared
// machinery (the outbox and inbox tables of package events) keeps its own
// version table, so its versions never interleave with the service's.
const DefaultVersionTable = "goose_db_version"

func (d *DB) provider(fsys fs.FS, table string) (*goose.Provider, error) {
	rendered, err := render(fsys, d.Dialect)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithTableName(table)}
	dialect := goose.DialectSQLite3
	if d.Dialect == Postgres {
		dialect = goose.DialectPostgres
		// Replicas of one service starting together take turns on an
		// advisory lock keyed by the schema, so other services (and test
		// schemas) never wait on each other. Probe every second, for 5 min.
		h := fnv.New64a()
		_, _ = h.Write([]byte("alexandria-migrate:" + d.Schema + ":" + table))
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(int64(h.Sum64()>>1)),
			lock.WithLockTimeout(1, 300),
		)
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, d.DB.DB, rendered, opts...)
}

// Migrate applies every pending migration in fsys.
func (d *DB) Migrate(ctx context.Context, fsys fs.FS) (applied int, err error) {
	return d.MigrateWith(ctx, fsys, DefaultVersionTable)
}

// MigrateWith applies the migrations in fsys, tracked in version table.
func (d *DB) MigrateWith(ctx context.Context, fsys fs.FS, table string) (applied int, err error) {
	p, err := d.provider(fsys, table)
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate %s: %w", d.Location, err)
	}
	return len(res), nil
}

// MigrationState is one migration and whether it has been applied.
type MigrationState struct {
	Version int64
	Source  string
	Applied bool
}

// MigrationStatus lists every migration in fsys with its state.
func (d *DB) MigrationStatus(ctx context.Context, fsys fs.FS) ([]MigrationState, error) {
	return d.MigrationStatusWith(ctx, fsys, DefaultVersionTable)
}

// MigrationStatusWith lists the migrations in fsys tracked in version table.
func (d *DB) MigrationStatusWith(ctx context.Context, fsys fs.FS, table string) ([]MigrationState, error) {
	p, err := d.provider(fsys, table)
	if err != nil {
		return nil, err
	}
	list, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationState, 0, len(list))
	for _, s := range list {
		out = append(out, MigrationState{Version: s.Source.Version, Source: s.Source.Path, Applied: s.State == goose.StateApplied})
	}
	return out, nil
}
