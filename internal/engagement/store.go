package engagement

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
)

// Store is engagement's repository: the only place with SQL, one code path
// for SQLite and PostgreSQL. A Store made by Tx or InTx works in that
// transaction; its writes record their events there.
type Store struct {
	db     *db.DB
	idb    bun.IDB
	events Recorder
}

// Recorder writes an event in the caller's transaction (events.Pipeline).
type Recorder interface {
	Record(ctx context.Context, idb bun.IDB, typ, subject, key string, data any) error
}

// NewStore wraps an open, migrated store that records no events.
func NewStore(d *db.DB) *Store { return &Store{db: d, idb: d.DB} }

// WithEvents returns the store recording its changes' events through r.
func (s *Store) WithEvents(r Recorder) *Store { return &Store{db: s.db, idb: s.idb, events: r} }

// bound binds the repository to a consumer's transaction (events.Bind).
func (s *Store) bound(idb bun.IDB) *Store { return &Store{db: s.db, idb: idb, events: s.events} }

// Tx runs fn in one transaction; inside a transaction it just runs fn.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	if _, ok := s.idb.(bun.Tx); ok {
		return fn(s)
	}
	return s.db.RunInTx(ctx, nil, func(_ context.Context, tx bun.Tx) error {
		return fn(&Store{db: s.db, idb: tx, events: s.events})
	})
}

// Ping checks the store answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

var errNoTx = errors.New("engagement: events must be recorded in the transaction of their change")

// record writes one event in the store's transaction.
func (s *Store) record(ctx context.Context, typ, subject, key string, data any) error {
	if s.events == nil {
		return nil
	}
	tx, ok := s.idb.(bun.Tx)
	if !ok {
		return errNoTx
	}
	return s.events.Record(ctx, tx, typ, subject, key, data)
}

func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.idb.NewRaw(query, args...).Exec(ctx)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// forUpdate locks the rows a read returns on PostgreSQL; SQLite
// transactions are already serialised.
func (s *Store) forUpdate() string {
	if s.db.Dialect == db.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// ---- the read model of catalog ----

type mediaRow struct {
	bun.BaseModel   `bun:"table:media,alias:m"`
	ID              string     `bun:"id,pk"`
	Kind            string     `bun:"kind"`
	Title           string     `bun:"title"`
	Status          string     `bun:"status"`
	DurationSeconds *float64   `bun:"duration_seconds"`
	Pages           *int       `bun:"pages"`
	PublishedAt     *time.Time `bun:"published_at"`
	Version         int64      `bun:"version"`
}

func (r mediaRow) domain() domain.Media {
	return domain.Media{ID: r.ID, Kind: r.Kind, Title: r.Title, Status: r.Status, DurationSeconds: r.DurationSeconds,
		Pages: r.Pages, PublishedAt: r.PublishedAt, Version: r.Version}
}

// applyMedia stores what a catalog event says of an item unless the store
// already has that version or a later one; it reports whether it did.
func (s *Store) applyMedia(ctx context.Context, m domain.Media) (bool, error) {
	var have []int64
	if err := s.idb.NewRaw("SELECT version FROM media WHERE id = ?"+s.forUpdate(), m.ID).Scan(ctx, &have); err != nil {
		return false, fmt.Errorf("media %s: %w", m.ID, err)
	}
	if len(have) > 0 && have[0] >= m.Version {
		return false, nil
	}
	row := mediaRow{ID: m.ID, Kind: m.Kind, Title: m.Title, Status: m.Status, DurationSeconds: m.DurationSeconds,
		Pages: m.Pages, PublishedAt: m.PublishedAt, Version: m.Version}
	if len(have) == 0 {
		if _, err := s.idb.NewInsert().Model(&row).Exec(ctx); err != nil {
			return false, fmt.Errorf("media %s: %w", m.ID, err)
		}
	} else if _, err := s.idb.NewUpdate().Model(&row).WherePK().Exec(ctx); err != nil {
		return false, fmt.Errorf("media %s: %w", m.ID, err)
	}
	if _, err := s.exec(ctx, "DELETE FROM media_refs WHERE media_id = ?", m.ID); err != nil {
		return false, err
	}
	type ref struct {
		bun.BaseModel `bun:"table:media_refs"`
		MediaID       string `bun:"media_id"`
		RefType       string `bun:"ref_type"`
		RefID         string `bun:"ref_id"`
	}
	var refs []ref
	seen := map[[2]string]bool{}
	add := func(typ string, ids []string) {
		for _, id := range ids {
			if !seen[[2]string{typ, id}] {
				seen[[2]string{typ, id}] = true
				refs = append(refs, ref{MediaID: m.ID, RefType: typ, RefID: id})
			}
		}
	}
	add(domain.TargetAuthor, m.AuthorIDs)
	add(domain.TargetCategory, m.CategoryIDs)
	add(domain.TargetTag, m.Tags)
	if len(refs) > 0 {
		if _, err := s.idb.NewInsert().Model(&refs).Exec(ctx); err != nil {
			return false, fmt.Errorf("media %s refs: %w", m.ID, err)
		}
	}
	return true, nil
}

// forgetMedia drops a permanently deleted item (its counts stay).
func (s *Store) forgetMedia(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, "DELETE FROM media_refs WHERE media_id = ?", id); err != nil {
		return err
	}
	_, err := s.exec(ctx, "DELETE FROM media WHERE id = ?", id)
	return err
}

// applyStatus stores an author's or category's status unless the store
// has that version or a later one.
func (s *Store) applyStatus(ctx context.Context, table, id, status string, version int64) error {
	var have []int64
	if err := s.idb.NewRaw("SELECT version FROM "+table+" WHERE id = ?"+s.forUpdate(), id).Scan(ctx, &have); err != nil {
		return fmt.Errorf("%s %s: %w", table, id, err)
	}
	var err error
	switch {
	case len(have) == 0:
		_, err = s.exec(ctx, "INSERT INTO "+table+" (id, status, version) VALUES (?, ?, ?)", id, status, version)
	case have[0] < version:
		_, err = s.exec(ctx, "UPDATE "+table+" SET status = ?, version = ? WHERE id = ?", status, version, id)
	}
	return err
}

// forget drops a permanently deleted author or category.
func (s *Store) forget(ctx context.Context, table, id string) error {
	_, err := s.exec(ctx, "DELETE FROM "+table+" WHERE id = ?", id)
	return err
}

// media reads one item; ok is false when engagement has never heard of it.
func (s *Store) media(ctx context.Context, id string) (domain.Media, bool, error) {
	var row mediaRow
	err := s.idb.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Media{}, false, nil
	}
	if err != nil {
		return domain.Media{}, false, fmt.Errorf("media %s: %w", id, err)
	}
	return row.domain(), true, nil
}

// targetVisible reports whether a follow target exists and is visible: an
// active author or category, or a tag some published item carries.
func (s *Store) targetVisible(ctx context.Context, typ, id string) (bool, error) {
	var n []int
	var err error
	switch typ {
	case domain.TargetAuthor:
		err = s.idb.NewRaw("SELECT 1 FROM authors WHERE id = ? AND status = ?", id, domain.StatusActive).Scan(ctx, &n)
	case domain.TargetCategory:
		err = s.idb.NewRaw("SELECT 1 FROM categories WHERE id = ? AND status = ?", id, domain.StatusActive).Scan(ctx, &n)
	default:
		err = s.idb.NewRaw(`SELECT 1 FROM media_refs r JOIN media m ON m.id = r.media_id
			WHERE r.ref_type = ? AND r.ref_id = ? AND m.status = ? LIMIT 1`, domain.TargetTag, id, domain.MediaPublished).Scan(ctx, &n)
	}
	if err != nil {
		return false, fmt.Errorf("%s %s: %w", typ, id, err)
	}
	return len(n) > 0, nil
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
