// Package db opens a service's relational store: one SQLite file per service
// in the data directory by default, or one schema per service in PostgreSQL.
// Both go through bun, so a service has a single repository code path.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Config is the relational store configuration shared by every service.
type Config struct {
	// URL empty means SQLite files in the data directory; postgres:// or
	// postgresql:// means PostgreSQL with one schema per service.
	URL             string        `yaml:"url" env:"URL" secret:"true" doc:"empty: one SQLite file per service in the data dir; postgres://...: PostgreSQL, one schema per service"`
	MaxOpenConns    int           `yaml:"max_open_conns" env:"MAX_OPEN_CONNS" doc:"connection pool size per service (PostgreSQL)"`
	ConnMaxLifetime time.Duration `yaml:"conn_max_lifetime" env:"CONN_MAX_LIFETIME" doc:"recycle connections after this long"`
}

// Validate checks that the URL is one this build can open.
func (c Config) Validate() error {
	if c.URL == "" {
		return nil
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return fmt.Errorf("database.url: not a URL: %v", redactURLError(err))
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("database.url: scheme %q is not supported (use postgres:// or leave empty for SQLite)", u.Scheme)
	}
	if _, err := pgx.ParseConfig(c.URL); err != nil {
		return fmt.Errorf("database.url: %v", redactURLError(err))
	}
	if c.MaxOpenConns < 1 {
		return fmt.Errorf("database.max_open_conns: must be at least 1")
	}
	return nil
}

// redactURLError keeps a parse error from echoing a password.
func redactURLError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		return "malformed connection string"
	}
	return msg
}

// Dialect names the SQL flavour of an open store.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is one service's store.
type DB struct {
	*bun.DB
	Dialect Dialect
	// Schema is the PostgreSQL schema (empty for SQLite).
	Schema string
	// Location says where the data lives, without credentials, for logs.
	Location string
}

var schemaName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Options say whose store to open.
type Options struct {
	// Service names the owner: the SQLite file name and PostgreSQL schema.
	Service string
	// DataDir holds SQLite files.
	DataDir string
	// Schema overrides the PostgreSQL schema (tests use throwaway schemas).
	Schema string
}

// Open connects to the service's store, creating the file or schema when missing.
func Open(ctx context.Context, c Config, o Options) (*DB, error) {
	if c.URL == "" {
		return openSQLite(ctx, o)
	}
	return openPostgres(ctx, c, o)
}

func openSQLite(ctx context.Context, o Options) (*DB, error) {
	if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	path := filepath.Join(o.DataDir, o.Service+".db")
	// WAL lets readers run beside the single writer; IMMEDIATE transactions
	// take the write lock up front, so two writers queue on busy_timeout
	// instead of failing with SQLITE_BUSY half-way through.
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	sqldb.SetMaxOpenConns(4)
	if err := sqldb.PingContext(ctx); err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &DB{DB: bun.NewDB(sqldb, sqlitedialect.New()), Dialect: SQLite, Location: path}, nil
}

func openPostgres(ctx context.Context, c Config, o Options) (*DB, error) {
	schema := o.Schema
	if schema == "" {
		schema = o.Service
	}
	if !schemaName.MatchString(schema) {
		return nil, fmt.Errorf("schema name %q is not a plain identifier", schema)
	}
	pc, err := pgx.ParseConfig(c.URL)
	if err != nil {
		return nil, fmt.Errorf("database.url: %s", redactURLError(err))
	}
	location := fmt.Sprintf("postgres://%s:%d/%s (schema %s)", pc.Host, pc.Port, pc.Database, schema)

	// Create the schema on a plain connection first, then open the pool with
	// the schema as search_path so every query stays in the service's room.
	conn, err := pgx.ConnectConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", location, err)
	}
	_, err = conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema)
	_ = conn.Close(ctx)
	if err != nil && !isDuplicateSchema(err) {
		return nil, fmt.Errorf("create schema %s: %w", schema, err)
	}

	pc.RuntimeParams["search_path"] = schema
	sqldb := stdlib.OpenDB(*pc)
	sqldb.SetMaxOpenConns(c.MaxOpenConns)
	sqldb.SetMaxIdleConns(c.MaxOpenConns)
	sqldb.SetConnMaxLifetime(c.ConnMaxLifetime)
	if err := sqldb.PingContext(ctx); err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("connect %s: %w", location, err)
	}
	return &DB{DB: bun.NewDB(sqldb, pgdialect.New()), Dialect: Postgres, Schema: schema, Location: location}, nil
}

// isDuplicateSchema tolerates two replicas racing on CREATE SCHEMA IF NOT EXISTS.
func isDuplicateSchema(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "42P06" || pe.Code == "23505")
}

// DropSchema removes the schema and everything in it (tests only).
func (d *DB) DropSchema(ctx context.Context) error {
	if d.Dialect != Postgres {
		return nil
	}
	_, err := d.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+d.Schema+" CASCADE")
	return err
}

// RegisterMetrics exposes the pool statistics, labelled with the service.
func (d *DB) RegisterMetrics(reg prometheus.Registerer, service string) error {
	return prometheus.WrapRegistererWith(prometheus.Labels{"service": service}, reg).
		Register(collectors.NewDBStatsCollector(d.DB.DB, service))
}

// IsUniqueViolation reports whether err is a unique or primary key conflict.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err is a broken reference.
func IsForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// IsNoRows reports whether err means a query found nothing.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
