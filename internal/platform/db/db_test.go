package db_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

var migrations = os.DirFS("testdata/migrations")

type thing struct {
	bun.BaseModel `bun:"table:things"`

	ID        string    `bun:"id,pk"`
	Name      string    `bun:"name"`
	CreatedAt time.Time `bun:"created_at"`
}

func TestStoresMigrateAndClassifyErrors(t *testing.T) {
	t.Parallel()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := moduletest.OpenDB(t, s, "dbtest", migrations)

			// Migrating again is a no-op, and status reports it applied.
			if n, err := d.Migrate(ctx, migrations); err != nil || n != 0 {
				t.Fatalf("second migrate: %d, %v", n, err)
			}
			states, err := d.MigrationStatus(ctx, migrations)
			if err != nil || len(states) != 1 || !states[0].Applied {
				t.Fatalf("status %+v, %v", states, err)
			}

			now := time.Now().UTC().Truncate(time.Microsecond)
			a := &thing{ID: uuid.Must(uuid.NewV7()).String(), Name: "a", CreatedAt: now}
			if _, err := d.NewInsert().Model(a).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			dup := &thing{ID: uuid.Must(uuid.NewV7()).String(), Name: "a", CreatedAt: now}
			_, err = d.NewInsert().Model(dup).Exec(ctx)
			if !db.IsUniqueViolation(err) {
				t.Fatalf("duplicate name: %v is not a unique violation", err)
			}
			var got thing
			err = d.NewSelect().Model(&got).Where("id = ?", a.ID).Scan(ctx)
			if err != nil || !got.CreatedAt.Equal(now) {
				t.Fatalf("read back %+v, %v (want time %v)", got, err, now)
			}
			err = d.NewSelect().Model(&got).Where("id = ?", uuid.NewString()).Scan(ctx)
			if !db.IsNoRows(err) {
				t.Fatalf("missing row: %v", err)
			}
		})
	}
}

func TestValidateRejectsForeignURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"mysql://x", "postgres://%zz", "not a url at all ::"} {
		if err := (db.Config{URL: u, MaxOpenConns: 1}).Validate(); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	if err := (db.Config{URL: "postgres://u:p@h:5432/d", MaxOpenConns: 1}).Validate(); err != nil {
		t.Error(err)
	}
}
