package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/alexandria-platform/alexandria/internal/config"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Migrate applies ("up") or lists ("status") the migrations of the targets
// named by spec, each in its own store.
func Migrate(ctx context.Context, c config.Config, spec, action string, out io.Writer) error {
	if action != "up" && action != "status" {
		return fmt.Errorf("migrate: unknown action %q (use up or status)", action)
	}
	selected, err := Select(spec)
	if err != nil {
		return err
	}
	for _, t := range selected {
		if t.Migrations == nil {
			continue
		}
		store, err := db.Open(ctx, c.Database, db.Options{Service: t.Name, DataDir: c.DataDir})
		if err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
		err = migrateOne(ctx, store, t, action, out)
		_ = store.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
	}
	return nil
}

// migrateOne runs a target's own migrations and those of its event tables
// (outbox, inbox, dead letters), which are tracked separately.
func migrateOne(ctx context.Context, store *db.DB, t Target, action string, out io.Writer) error {
	if action == "up" {
		n, err := store.Migrate(ctx, t.Migrations)
		if err != nil {
			return err
		}
		m, err := store.MigrateWith(ctx, events.Migrations, events.VersionTable)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%-10s %s: %d migration(s) applied\n", t.Name, store.Location, n+m)
		return err
	}
	states, err := store.MigrationStatus(ctx, t.Migrations)
	if err != nil {
		return err
	}
	eventStates, err := store.MigrationStatusWith(ctx, events.Migrations, events.VersionTable)
	if err != nil {
		return err
	}
	states = append(states, eventStates...)
	for _, s := range states {
		state := "pending"
		if s.Applied {
			state = "applied"
		}
		if _, err := fmt.Fprintf(out, "%-10s %05d %-8s %s\n", t.Name, s.Version, state, s.Source); err != nil {
			return err
		}
	}
	return nil
}

// migrateAll applies the pending migrations of the selected targets, each in
// its own store and all at the same time, before Run starts the targets one
// by one. Their New then finds nothing to apply. Every store is separate (a
// SQLite file or a PostgreSQL schema of its own), so nothing is shared but
// the machine; on a new data directory this is most of a start's work.
func migrateAll(ctx context.Context, c config.Config, selected []Target) error {
	errs := make([]error, len(selected))
	var wg sync.WaitGroup
	for i, t := range selected {
		if t.Migrations == nil {
			continue
		}
		wg.Go(func() {
			store, err := db.Open(ctx, c.Database, db.Options{Service: t.Name, DataDir: c.DataDir})
			if err != nil {
				errs[i] = fmt.Errorf("start %s: %w", t.Name, err)
				return
			}
			if _, err = store.Migrate(ctx, t.Migrations); err == nil {
				_, err = store.MigrateWith(ctx, events.Migrations, events.VersionTable)
			}
			if err = errors.Join(err, store.Close()); err != nil {
				errs[i] = fmt.Errorf("start %s: %w", t.Name, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
