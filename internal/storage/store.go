package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/clock"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// pendingUpload is an upload being received; its size is reserved against
// the uploader's quota.
type pendingUpload struct {
	bun.BaseModel `bun:"table:pending_uploads"`
	ID            string    `bun:"id,pk"`
	MediaID       string    `bun:"media_id"`
	UserID        string    `bun:"user_id"`
	Kind          string    `bun:"kind"`
	Filename      string    `bun:"filename"`
	Size          int64     `bun:"size"`
	Source        string    `bun:"source"` // sourceTus or sourcePut
	CreatedAt     time.Time `bun:"created_at"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

const (
	sourceTus = "tus"
	sourcePut = "put"
)

// upload is a media item's current file.
type upload struct {
	bun.BaseModel `bun:"table:uploads"`
	ID            string    `bun:"id,pk"`
	MediaID       string    `bun:"media_id"`
	UserID        string    `bun:"user_id"`
	Kind          string    `bun:"kind"`
	ObjectKey     string    `bun:"object_key"`
	SHA256        string    `bun:"sha256"`
	Size          int64     `bun:"size"`
	ContentType   string    `bun:"content_type"`
	Filename      string    `bun:"filename"`
	CompletedAt   time.Time `bun:"completed_at"`
}

// derivative is an object processing made from a media item's current file.
type derivative struct {
	bun.BaseModel `bun:"table:derivatives"`
	MediaID       string    `bun:"media_id,pk"`
	Name          string    `bun:"name,pk"`
	Kind          string    `bun:"kind"`
	ObjectKey     string    `bun:"object_key"`
	ContentType   string    `bun:"content_type"`
	Size          int64     `bun:"size"`
	SourceSHA256  string    `bun:"source_sha256"`
	CreatedAt     time.Time `bun:"created_at"`
}

type objectDeletion struct {
	bun.BaseModel `bun:"table:object_deletions"`
	ObjectKey     string    `bun:"object_key,pk"`
	CreatedAt     time.Time `bun:"created_at"`
}

type quotaLock struct {
	bun.BaseModel `bun:"table:quota_locks"`
	UserID        string `bun:"user_id,pk"`
}

type secret struct {
	bun.BaseModel `bun:"table:secrets"`
	Name          string `bun:"name,pk"`
	Value         []byte `bun:"value"`
}

// Store is storage's repository. Every change others care about records
// its event (built in events.go) in the same transaction.
type Store struct {
	db     *db.DB
	events eventRecorder
	// tx is set on a repository bound to a consumer's transaction (bound).
	tx bun.IDB
}

// eventRecorder writes an event in the outbox of the transaction idb
// (*events.Pipeline).
type eventRecorder interface {
	Record(ctx context.Context, idb bun.IDB, typ, subject, key string, data any) error
}

// bound is the repository working in idb, the transaction of an event
// consumer (events.Bind hands it over): the consumer's changes join the
// pipeline's transaction, which also marks the event handled.
func (s *Store) bound(idb bun.IDB) *Store {
	b := *s
	b.tx = idb
	return &b
}

// idb is what the repository queries: its transaction, else the database.
func (s *Store) idb() bun.IDB {
	if s.tx != nil {
		return s.tx
	}
	return s.db.DB
}

// record writes e in the outbox of the transaction idb.
func (s *Store) record(ctx context.Context, idb bun.IDB, e event) error {
	return s.events.Record(ctx, idb, e.typ, e.subject, e.key, e.data)
}

// stamp normalises a time the way it is stored.
var stamp = clock.Stamp

// Reserve records p after fits accepts what the uploader already holds
// (used: completed uploads and unexpired uploads in progress). The check
// and the insert are one transaction holding the user's quota lock, so
// simultaneous uploads cannot all pass it.
func (s *Store) Reserve(ctx context.Context, p pendingUpload, fits func(used int64) error) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&quotaLock{UserID: p.UserID}).
			On("CONFLICT (user_id) DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("quota lock: %w", err)
		}
		if s.db.Dialect == db.Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT user_id FROM quota_locks WHERE user_id = ? FOR UPDATE", p.UserID); err != nil {
				return fmt.Errorf("quota lock: %w", err)
			}
		}
		used, err := usage(ctx, tx, p.UserID, p.CreatedAt)
		if err != nil {
			return err
		}
		if err := fits(used); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&p).Exec(ctx); err != nil {
			return fmt.Errorf("record upload: %w", err)
		}
		return nil
	})
}

// usage is the bytes a user holds: completed uploads plus unexpired ones
// in progress.
func usage(ctx context.Context, idb bun.IDB, userID string, now time.Time) (int64, error) {
	var done, pending sql.NullInt64
	if err := idb.NewSelect().Model((*upload)(nil)).ColumnExpr("SUM(size)").Where("user_id = ?", userID).
		Scan(ctx, &done); err != nil {
		return 0, fmt.Errorf("usage: %w", err)
	}
	if err := idb.NewSelect().Model((*pendingUpload)(nil)).ColumnExpr("SUM(size)").
		Where("user_id = ? AND expires_at > ?", userID, now).Scan(ctx, &pending); err != nil {
		return 0, fmt.Errorf("usage: %w", err)
	}
	return done.Int64 + pending.Int64, nil
}

// Pending returns an upload in progress.
func (s *Store) Pending(ctx context.Context, id string) (pendingUpload, error) {
	var p pendingUpload
	err := s.db.NewSelect().Model(&p).Where("id = ?", id).Scan(ctx)
	if db.IsNoRows(err) {
		return p, errs.NotFoundf("no upload %s in progress", id)
	}
	return p, err
}

// AllPending lists every upload in progress (for the sweeper).
func (s *Store) AllPending(ctx context.Context) ([]pendingUpload, error) {
	var ps []pendingUpload
	err := s.db.NewSelect().Model(&ps).Order("id").Scan(ctx)
	return ps, err
}

// Fail drops an upload in progress and records why it was refused. It
// reports false when the upload was already gone (finished elsewhere).
func (s *Store) Fail(ctx context.Context, p pendingUpload, reason string, now time.Time) (bool, error) {
	dropped := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*pendingUpload)(nil)).Where("id = ?", p.ID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		dropped = true
		return s.record(ctx, tx, uploadFailedEvent(p, reason, now))
	})
	return dropped, err
}

// errGone is an upload that finished, failed or was dropped meanwhile.
var errGone = errs.NotFoundf("the upload is no longer in progress (it finished, failed, expired or its media item was deleted)")

// Complete makes u its media item's current file in one transaction: the
// reservation p becomes the upload row, the item's previous file and its
// derivatives are dropped (objects no longer referenced are scheduled for
// deletion), and storage.upload.completed is recorded. It returns the
// object keys to delete once committed.
func (s *Store) Complete(ctx context.Context, p pendingUpload, u upload) ([]string, error) {
	var doomed []string
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		doomed = nil
		res, err := tx.NewDelete().Model((*pendingUpload)(nil)).Where("id = ?", p.ID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errGone
		}
		// The object is referenced again: a pending deletion must not run.
		if _, err := tx.NewDelete().Model((*objectDeletion)(nil)).Where("object_key = ?", u.ObjectKey).Exec(ctx); err != nil {
			return err
		}
		// The rows this upload replaces are read as they are deleted, so that
		// its completed_at is later than theirs even when the uploads raced:
		// consumers order an item's files by completed_at.
		var old []upload
		if _, err := tx.NewDelete().Model((*upload)(nil)).Where("media_id = ?", u.MediaID).Returning("*").Exec(ctx, &old); err != nil {
			return err
		}
		for _, o := range old {
			if !u.CompletedAt.After(o.CompletedAt) {
				u.CompletedAt = stamp(o.CompletedAt.Add(time.Microsecond))
			}
		}
		var ders []derivative
		if err := tx.NewSelect().Model(&ders).Where("media_id = ? AND source_sha256 <> ?", u.MediaID, u.SHA256).Scan(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*derivative)(nil)).Where("media_id = ? AND source_sha256 <> ?", u.MediaID, u.SHA256).
			Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&u).Exec(ctx); err != nil {
			return err
		}
		keys := make([]string, 0, len(old)+len(ders))
		for _, o := range old {
			keys = append(keys, o.ObjectKey)
		}
		for _, d := range ders {
			keys = append(keys, d.ObjectKey)
		}
		if doomed, err = s.scheduleUnreferenced(ctx, tx, u.MediaID, keys, u.CompletedAt); err != nil {
			return err
		}
		return s.record(ctx, tx, uploadCompletedEvent(u))
	})
	return doomed, err
}

// scheduleUnreferenced schedules for deletion each key no upload or
// derivative references any more and records storage.object.deleted.
func (s *Store) scheduleUnreferenced(ctx context.Context, tx bun.IDB, mediaID string, keys []string, now time.Time) ([]string, error) {
	var doomed []string
	seen := map[string]bool{}
	for _, key := range keys {
		if seen[key] {
			continue
		}
		seen[key] = true
		used, err := referenced(ctx, tx, key)
		if err != nil || used {
			if err != nil {
				return nil, err
			}
			continue
		}
		res, err := tx.NewInsert().Model(&objectDeletion{ObjectKey: key, CreatedAt: now}).On("CONFLICT (object_key) DO NOTHING").Exec(ctx)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // already scheduled and announced
		}
		if err := s.record(ctx, tx, objectDeletedEvent(key, mediaID, now)); err != nil {
			return nil, err
		}
		doomed = append(doomed, key)
	}
	return doomed, nil
}

// referenced reports whether an upload or a derivative uses key.
func referenced(ctx context.Context, idb bun.IDB, key string) (bool, error) {
	n, err := idb.NewSelect().Model((*upload)(nil)).Where("object_key = ?", key).Count(ctx)
	if err != nil || n > 0 {
		return n > 0, err
	}
	n, err = idb.NewSelect().Model((*derivative)(nil)).Where("object_key = ?", key).Count(ctx)
	return n > 0, err
}

// Current returns a media item's current file.
func (s *Store) Current(ctx context.Context, mediaID string) (upload, error) {
	var u upload
	err := s.db.NewSelect().Model(&u).Where("media_id = ?", mediaID).Scan(ctx)
	if db.IsNoRows(err) {
		return u, errs.NotFoundf("media item %s has no file", mediaID)
	}
	return u, err
}

// Derivative returns a derivative of a media item's current file by name.
func (s *Store) Derivative(ctx context.Context, mediaID, name string) (derivative, error) {
	var d derivative
	// Names are processing's own (cover.jpg, text.txt); anything else,
	// NUL bytes included, cannot exist.
	if !derivativeName.MatchString(name) {
		return d, errs.NotFoundf("media item %s has no derivative %q", mediaID, name)
	}
	err := s.db.NewSelect().Model(&d).Where("media_id = ? AND name = ?", mediaID, name).Scan(ctx)
	if db.IsNoRows(err) {
		return d, errs.NotFoundf("media item %s has no derivative %q", mediaID, name)
	}
	return d, err
}

// Deletions lists the objects waiting to be deleted.
func (s *Store) Deletions(ctx context.Context) ([]string, error) {
	var keys []string
	err := s.db.NewSelect().Model((*objectDeletion)(nil)).Column("object_key").Order("created_at").Limit(1000).Scan(ctx, &keys)
	return keys, err
}

// DeleteUnreferenced runs del for key's scheduled deletion when no row
// references the object any more, inside the transaction that removes the
// schedule row: an upload completing with the same content deletes that row
// too (Complete), so it waits for this transaction, and then finds the
// object gone and writes it again. If del fails, the row stays for the
// sweeper. It reports whether del ran.
func (s *Store) DeleteUnreferenced(ctx context.Context, key string, del func(ctx context.Context) error) (bool, error) {
	ran := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*objectDeletion)(nil)).Where("object_key = ?", key).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		used, err := referenced(ctx, tx, key)
		if err != nil || used {
			return err
		}
		ran = true
		return del(ctx)
	})
	return ran && err == nil, err
}

// Secret returns the named secret, making a random 32-byte one on first use.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, err
	}
	if _, err := s.db.NewInsert().Model(&secret{Name: name, Value: fresh[:]}).
		On("CONFLICT (name) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	var sec secret
	if err := s.db.NewSelect().Model(&sec).Where("name = ?", name).Scan(ctx); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	value := sec.Value
	if len(value) < 32 {
		return nil, errors.New("secret " + name + " is too short")
	}
	return value, nil
}

// Ping checks the store answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// DropPending removes a reservation without an event (a one-request upload
// whose body never arrived).
func (s *Store) DropPending(ctx context.Context, id string) error {
	_, err := s.db.NewDelete().Model((*pendingUpload)(nil)).Where("id = ?", id).Exec(ctx)
	return err
}

// derivativeName is the shape of every derivative name processing makes.
var derivativeName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
