package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// Store is catalog's repository. One code path serves SQLite and PostgreSQL.
// A Store made by Tx runs every call in that transaction, so a use case can
// read, apply a domain rule and write atomically.
//
// Every write records its events (events.go) in its transaction through
// the store's Recorder; a store without one records nothing.
type Store struct {
	db     *db.DB
	idb    bun.IDB
	events Recorder
	// changed is told the subject of every recorded event once its
	// transaction has committed (the read cache, read_cache.go).
	changed func(subject string)
	// committed collects those calls in a transaction Tx began; nil in a
	// consumer's transaction, where events.AfterCommit runs them.
	committed *[]func()
}

// NewStore wraps an open, migrated store that records no events.
func NewStore(d *db.DB) *Store { return &Store{db: d, idb: d.DB} }

// WithEvents returns the store recording its changes' events through r.
func (s *Store) WithEvents(r Recorder) *Store {
	return &Store{db: s.db, idb: s.idb, events: r, changed: s.changed}
}

// WithChanged returns the store telling fn the subject of every event it
// records, once the change has committed.
func (s *Store) WithChanged(fn func(subject string)) *Store {
	return &Store{db: s.db, idb: s.idb, events: s.events, changed: fn}
}

// bound returns the store working in idb, the transaction of an event
// consumer (events.Bind hands it over), recording through the same
// recorder.
func (s *Store) bound(idb bun.IDB) *Store {
	return &Store{db: s.db, idb: idb, events: s.events, changed: s.changed}
}

// Tx runs fn in one transaction; inside a transaction it just runs fn.
// What the changes recorded tell s.changed runs once the transaction has
// committed, before Tx returns.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	if _, ok := s.idb.(bun.Tx); ok {
		return fn(s)
	}
	var committed []func()
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		committed = nil // a retried transaction starts again
		return fn(&Store{db: s.db, idb: tx, events: s.events, changed: s.changed, committed: &committed})
	})
	if err == nil {
		for _, f := range committed {
			f()
		}
	}
	return err
}

// maxAttempts bounds how often a read-modify-write is tried when it keeps
// losing races.
const maxAttempts = 3

// txRetrying is Tx for a read-modify-write: when the write loses a race
// (another change committed between the read and the conditional write,
// which PostgreSQL's READ COMMITTED allows), the whole transaction runs
// again on the fresh row. That is always right: the domain rule is applied
// again, and an If-Match the caller sent is checked again against the new
// version, so only a stale If-Match ends in 412. Inside a transaction (an
// event handler's) there is no retry: the handler's delivery is retried.
func (s *Store) txRetrying(ctx context.Context, fn func(tx *Store) error) error {
	if _, ok := s.idb.(bun.Tx); ok {
		return fn(s)
	}
	var err error
	for range maxAttempts {
		if err = s.Tx(ctx, fn); !errors.Is(err, errLostRace) {
			return err
		}
	}
	return err
}

// lockRow takes the row's write lock before a read-modify-write in a
// transaction, so a concurrent change waits instead of making this one lose
// the race (a consumer's transaction must not fail because a user edited
// the same author meanwhile). SQLite transactions are IMMEDIATE: already
// serialised. A missing row is left to the read that follows.
func (s *Store) lockRow(ctx context.Context, table, id string) error {
	if s.db.Dialect != db.Postgres || !domain.ValidID(id) {
		return nil
	}
	if _, err := s.idb.ExecContext(ctx, "SELECT 1 FROM "+table+" WHERE id = ? FOR UPDATE", id); err != nil {
		return fmt.Errorf("lock %s %s: %w", table, id, err)
	}
	return nil
}

// treeLockKey names the PostgreSQL advisory lock serialising changes of the
// category tree ("alx-cat" in ASCII).
const treeLockKey int64 = 0x616c782d636174

// lockTree serialises the changes that depend on the shape of the category
// tree (a parent, a move, a removal or restore): on PostgreSQL two moves
// could otherwise each check the tree without the other and make a cycle.
// SQLite transactions are IMMEDIATE, so they are serialised already. It
// must run in a transaction, which releases the lock when it ends.
func (s *Store) lockTree(ctx context.Context) error {
	if _, ok := s.idb.(bun.Tx); !ok {
		return errors.New("catalog: the category tree is locked only inside a transaction")
	}
	if s.db.Dialect != db.Postgres {
		return nil
	}
	if _, err := s.idb.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", treeLockKey); err != nil {
		return fmt.Errorf("lock the category tree: %w", err)
	}
	return nil
}

// Ping reports whether the store answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// errLostRace marks a write that lost a race (see txRetrying).
var errLostRace = errors.New("lost a race")

// stale reports a lost race: the row changed between read and write. It
// is PreconditionFailed when it reaches the caller after the retries.
func stale(res sql.Result, what, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: %w", errLostRace,
			errs.New(errs.PreconditionFailed, "%s %s kept changing meanwhile; read it again and retry", what, id))
	}
	return nil
}

// notFound turns "no rows" into a NotFound error and wraps anything else.
func notFound(err error, what, id string) error {
	if db.IsNoRows(err) {
		return errs.NotFoundf("%s %s not found", what, id)
	}
	return fmt.Errorf("load %s %s: %w", what, id, err)
}

// validIDs keeps the well-formed IDs: PostgreSQL refuses to compare a
// malformed string with a UUID column, and such IDs cannot exist anyway.
func validIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if domain.ValidID(id) {
			out = append(out, id)
		}
	}
	return out
}

// position is a keyset position: the sort key and ID of the last item of a
// page, and the order it belongs to, so a token cannot be replayed with
// another order.
type position struct {
	Order string `json:"o"`
	Key   string `json:"k,omitempty"`
	ID    string `json:"i"`
}

// sortSpec says how a list is ordered: by column (then id), or by id alone.
type sortSpec struct {
	name   string // the order_by value
	column string // "" for id only
	desc   bool
}

// decodePosition reads a page token for spec; "" means the first page.
func decodePosition(token string, spec sortSpec) (*position, error) {
	if token == "" {
		return nil, nil
	}
	var p position
	if err := httpx.DecodePageToken(token, &p); err != nil {
		return nil, err
	}
	// The key goes into SQL: refuse what no stored key can hold (NUL and
	// invalid UTF-8, which PostgreSQL refuses to compare).
	if p.Order != spec.name || !domain.ValidID(p.ID) || (spec.column == "" && p.Key != "") ||
		strings.ContainsRune(p.Key, 0) || !utf8.ValidString(p.Key) {
		return nil, errs.InvalidField("query.page_token", "belongs to another list or order")
	}
	return &p, nil
}

// page adds the keyset condition, order and limit (one more than the page
// size, to know whether there is a next page) to q.
func page(q *bun.SelectQuery, alias string, spec sortSpec, after *position, size int) *bun.SelectQuery {
	id := alias + ".id"
	switch {
	case spec.column == "" && spec.desc:
		if after != nil {
			q = q.Where(id+" < ?", after.ID)
		}
		q = q.OrderExpr(id + " DESC")
	case spec.column == "":
		if after != nil {
			q = q.Where(id+" > ?", after.ID)
		}
		q = q.OrderExpr(id + " ASC")
	default:
		col := alias + "." + spec.column
		if after != nil {
			q = q.Where("("+col+", "+id+") > (?, ?)", after.Key, after.ID)
		}
		q = q.OrderExpr(col + " ASC, " + id + " ASC")
	}
	return q.Limit(int64(size + 1))
}

// nextToken returns the token for the page after items (n = len(items)
// fetched, one more than size when there is more) and how many to keep.
func nextToken(spec sortSpec, n, size int, last func(i int) (key, id string)) (string, int) {
	if n <= size {
		return "", n
	}
	key, id := last(size - 1)
	if spec.column == "" {
		key = ""
	}
	return httpx.EncodePageToken(position{Order: spec.name, Key: key, ID: id}), size
}

// Recorder writes an event in the caller's transaction (events.Pipeline).
type Recorder interface {
	Record(ctx context.Context, idb bun.IDB, typ, subject, key string, data any) error
}

var errNoTx = errors.New("catalog: events must be recorded in the transaction of their change")

// record writes evs in the store's transaction. A store without a recorder
// (repository tests) records nothing.
func (s *Store) record(ctx context.Context, evs ...event) error {
	if s.events == nil || len(evs) == 0 {
		return nil
	}
	tx, ok := s.idb.(bun.Tx)
	if !ok {
		return errNoTx
	}
	for _, e := range evs {
		if err := s.events.Record(ctx, tx, e.typ, e.subject, e.key, e.data); err != nil {
			return err
		}
		if s.changed != nil {
			subject, changed := e.subject, s.changed
			f := func() { changed(subject) }
			if s.committed != nil {
				*s.committed = append(*s.committed, f)
			} else {
				events.AfterCommit(ctx, f)
			}
		}
	}
	return nil
}
