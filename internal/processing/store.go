package processing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/clock"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
)

// Job states. A job is queued until a worker claims it (running, with a
// lease), then done or failed; superseded when a newer upload of the same
// media arrived before it ran.
const (
	stateQueued     = "queued"
	stateRunning    = "running"
	stateDone       = "done"
	stateFailed     = "failed"
	stateSuperseded = "superseded"
)

// job is one row of jobs.
type job struct {
	bun.BaseModel `bun:"table:jobs"`
	ID            string     `bun:"id,pk"`
	UploadID      string     `bun:"upload_id"`
	MediaID       string     `bun:"media_id"`
	ObjectKey     string     `bun:"object_key"`
	SHA256        string     `bun:"sha256"`
	Size          int64      `bun:"size"`
	Kind          string     `bun:"kind"`
	ContentType   string     `bun:"content_type"`
	CompletedAt   time.Time  `bun:"completed_at"`
	State         string     `bun:"state"`
	Attempts      int        `bun:"attempts"`
	RunAt         int64      `bun:"run_at"`
	LeasedUntil   *int64     `bun:"leased_until"`
	LeaseToken    string     `bun:"lease_token"`
	LastError     string     `bun:"last_error"`
	Result        *string    `bun:"result"`
	CreatedAt     time.Time  `bun:"created_at"`
	FinishedAt    *time.Time `bun:"finished_at"`
	SweptAt       *int64     `bun:"swept_at"`
}

// jobStore is the bun repository of jobs. Times that workers compare
// (run_at, leased_until) are Unix milliseconds. It works on the store, or
// in one transaction (bound: an event consumer's).
type jobStore struct {
	db     *db.DB
	idb    bun.IDB
	events recorder
}

// recorder records an event in the outbox of the transaction idb
// (*events.Pipeline).
type recorder interface {
	Record(ctx context.Context, idb bun.IDB, typ, subject, key string, data any) error
}

// newJobStore wraps an open, migrated store; events records the outcome
// events of finished jobs (nil when nothing finishes jobs, in tests).
func newJobStore(d *db.DB, events recorder) *jobStore {
	return &jobStore{db: d, idb: d.DB, events: events}
}

// bound returns the repository working in idb, the transaction of an
// event consumer (events.Bind hands it over) or of finishRecording.
func (s *jobStore) bound(idb bun.IDB) *jobStore {
	return &jobStore{db: s.db, idb: idb, events: s.events}
}

// errLeaseLost means the job is no longer this worker's: its lease expired
// and another worker took it, or it was superseded.
var errLeaseLost = errors.New("job lease lost")

var stamp = clock.Stamp

// enqueue records a job for an upload, once per upload ID. Queued jobs
// of uploads of the same media completed earlier are superseded; the job is
// recorded superseded itself when a later upload is already known (events
// may arrive out of order). It reports whether a new queued job exists.
func (s *jobStore) enqueue(ctx context.Context, u UploadCompleted, now time.Time) (bool, error) {
	tx := s.idb
	j := job{
		ID: uuid.Must(uuid.NewV7()).String(), UploadID: u.UploadID, MediaID: u.MediaID, ObjectKey: u.ObjectKey,
		SHA256: u.SHA256, Size: u.Size, Kind: u.Kind, ContentType: u.ContentType, CompletedAt: stamp(u.CompletedAt),
		State: stateQueued, RunAt: now.UnixMilli(), CreatedAt: stamp(now),
	}
	newer, err := tx.NewSelect().Model((*job)(nil)).Where("media_id = ?", u.MediaID).
		Where("completed_at > ?", j.CompletedAt).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("look for newer uploads of %s: %w", u.MediaID, err)
	}
	if newer {
		j.State, j.FinishedAt = stateSuperseded, &j.CreatedAt
	}
	res, err := tx.NewInsert().Model(&j).On("CONFLICT (upload_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("record job for upload %s: %w", u.UploadID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 || newer {
		return false, nil
	}
	_, err = tx.NewUpdate().Model((*job)(nil)).
		Set("state = ?", stateSuperseded).Set("finished_at = ?", j.CreatedAt).
		Where("media_id = ?", u.MediaID).Where("state = ?", stateQueued).Where("id <> ?", j.ID).
		Where("completed_at <= ?", j.CompletedAt).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("supersede older jobs of %s: %w", u.MediaID, err)
	}
	return true, nil
}

// claim takes the next due job: a queued one whose run_at has come, or a
// running one whose lease expired (its worker died). The claim counts an
// attempt and leases the job to token until now+lease. On PostgreSQL the
// candidate row is locked with SKIP LOCKED so that concurrent workers pass
// over each other; SQLite's IMMEDIATE transactions serialise claims. The
// conditional UPDATE is what makes a claim exclusive on both.
func (s *jobStore) claim(ctx context.Context, now time.Time, lease time.Duration, token string) (*job, error) {
	var claimed *job
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		ms := now.UnixMilli()
		due := func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("state = ? AND run_at <= ?", stateQueued, ms).
					WhereOr("state = ? AND leased_until < ?", stateRunning, ms)
			})
		}
		q := due(tx.NewSelect().Model((*job)(nil)).Column("id")).OrderExpr("run_at, id").Limit(1)
		if s.db.Dialect == db.Postgres {
			q = q.For("UPDATE SKIP LOCKED")
		}
		var id string
		if err := q.Scan(ctx, &id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			return err
		}
		until := now.Add(lease).UnixMilli()
		res, err := tx.NewUpdate().Model((*job)(nil)).
			Set("state = ?", stateRunning).Set("attempts = attempts + 1").
			Set("leased_until = ?", until).Set("lease_token = ?", token).
			Where("id = ?", id).
			WhereGroup(" AND ", func(q *bun.UpdateQuery) *bun.UpdateQuery {
				return q.Where("state = ? AND run_at <= ?", stateQueued, ms).
					WhereOr("state = ? AND leased_until < ?", stateRunning, ms)
			}).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another worker was faster
		}
		var j job
		if err := tx.NewSelect().Model(&j).Where("id = ?", id).Scan(ctx); err != nil {
			return err
		}
		claimed = &j
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim a job: %w", err)
	}
	return claimed, nil
}

// heartbeat extends the lease of a running job still held by token.
func (s *jobStore) heartbeat(ctx context.Context, id, token string, until time.Time) error {
	res, err := s.idb.NewUpdate().Model((*job)(nil)).Set("leased_until = ?", until.UnixMilli()).
		Where("id = ? AND lease_token = ? AND state = ?", id, token, stateRunning).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errLeaseLost
	}
	return nil
}

// finishRecording marks the running job j done or failed and records its
// event in one transaction; errLeaseLost when j's lease is no longer held.
func (s *jobStore) finishRecording(ctx context.Context, j *job, state, result, lastError string, now time.Time, typ string, payload any) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.bound(tx).finish(ctx, j.ID, j.LeaseToken, state, result, lastError, now); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, typ, "media/"+j.MediaID, j.MediaID, payload)
	})
}

// finish marks a running job held by token done or failed, in the
// transaction that also records its event.
func (s *jobStore) finish(ctx context.Context, id, token, state, result, lastError string, now time.Time) error {
	q := s.idb.NewUpdate().Model((*job)(nil)).Set("state = ?", state).Set("leased_until = NULL").
		Set("finished_at = ?", stamp(now)).Set("last_error = ?", lastError).
		Where("id = ? AND lease_token = ? AND state = ?", id, token, stateRunning)
	if result != "" {
		q = q.Set("result = ?", result)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return fmt.Errorf("finish job %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errLeaseLost
	}
	return nil
}

// requeue puts a running job held by token back in the queue, due at runAt.
// refund gives back the attempt its claim counted (a clean shutdown is not
// the job's fault).
func (s *jobStore) requeue(ctx context.Context, id, token, lastError string, runAt time.Time, refund bool) error {
	q := s.idb.NewUpdate().Model((*job)(nil)).Set("state = ?", stateQueued).Set("leased_until = NULL").
		Set("lease_token = ''").Set("run_at = ?", runAt.UnixMilli()).Set("last_error = ?", lastError).
		Where("id = ? AND lease_token = ? AND state = ?", id, token, stateRunning)
	if refund {
		q = q.Set("attempts = attempts - 1")
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return fmt.Errorf("requeue job %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errLeaseLost
	}
	return nil
}

// depth counts queued jobs.
func (s *jobStore) depth(ctx context.Context) (int64, error) {
	return s.idb.NewSelect().Model((*job)(nil)).Where("state = ?", stateQueued).Count(ctx)
}

// byUpload reads the job of an upload (tests and diagnostics).
func (s *jobStore) byUpload(ctx context.Context, uploadID string) (*job, error) {
	var j job
	if err := s.idb.NewSelect().Model(&j).Where("upload_id = ?", uploadID).Scan(ctx); err != nil {
		return nil, err
	}
	return &j, nil
}

// recordProgress records a progress event of the running job j, held by
// its lease, in one transaction; errLeaseLost when the lease is gone.
func (s *jobStore) recordProgress(ctx context.Context, j *job, now time.Time, typ string, payload any) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*job)(nil)).Set("leased_until = leased_until").
			Where("id = ? AND lease_token = ? AND state = ?", j.ID, j.LeaseToken, stateRunning).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errLeaseLost
		}
		return s.events.Record(ctx, tx, typ, "media/"+j.MediaID, j.MediaID, payload)
	})
}

// unswept lists up to limit finished jobs (done, failed, superseded) that
// finished before cutoff and whose objects were not swept yet, oldest first.
func (s *jobStore) unswept(ctx context.Context, cutoff time.Time, limit int) ([]job, error) {
	var out []job
	err := s.idb.NewSelect().Model(&out).Where("swept_at IS NULL").
		Where("state IN (?)", bun.List([]string{stateDone, stateFailed, stateSuperseded})).
		Where("finished_at < ?", stamp(cutoff)).OrderExpr("finished_at, id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list unswept jobs: %w", err)
	}
	return out, nil
}

// markSwept records that job id's sweep ran.
func (s *jobStore) markSwept(ctx context.Context, id string, now time.Time) error {
	_, err := s.idb.NewUpdate().Model((*job)(nil)).Set("swept_at = ?", now.UnixMilli()).Where("id = ?", id).Exec(ctx)
	return err
}

// original is what the jobs of one original of one media item say about
// its objects: whether a job of it is queued or running (its objects are
// being made), and the derivative keys its done jobs reported.
func (s *jobStore) original(ctx context.Context, mediaID, sha string) (active bool, reported map[string]bool, err error) {
	var rows []job
	if err := s.idb.NewSelect().Model(&rows).Column("state", "result").
		Where("media_id = ? AND sha256 = ?", mediaID, sha).Scan(ctx); err != nil {
		return false, nil, fmt.Errorf("jobs of %s/%s: %w", mediaID, sha, err)
	}
	reported = map[string]bool{}
	for _, r := range rows {
		switch r.State {
		case stateQueued, stateRunning:
			active = true
		case stateDone:
			if r.Result == nil {
				continue
			}
			var p processedV1
			if err := json.Unmarshal([]byte(*r.Result), &p); err != nil {
				return false, nil, fmt.Errorf("result of a job of %s: %w", mediaID, err)
			}
			for _, d := range p.Derivatives {
				reported[d.ObjectKey] = true
			}
		}
	}
	return active, reported, nil
}
