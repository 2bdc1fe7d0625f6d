package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
)

// fanoutJob is one published item's fan-out to its followers, worked in
// pages of followers ordered by user ID; cursor is the last one done.
type fanoutJob struct {
	ID       string `bun:"id"`
	MediaID  string `bun:"media_id"`
	Title    string `bun:"title"`
	Cursor   string `bun:"cursor"`
	Inserted int64  `bun:"inserted"`
}

// enqueueFanout records the fan-out of a published item once: publishing
// the same item again queues nothing.
func (s *Store) enqueueFanout(ctx context.Context, mediaID, title string, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO fanout_jobs (id, media_id, title, cursor, done, inserted, created_at, updated_at)
		VALUES (?, ?, ?, '', FALSE, 0, ?, ?) ON CONFLICT (media_id) DO NOTHING`,
		uuid.Must(uuid.NewV7()).String(), mediaID, title, at, at)
	return err
}

// nextFanout returns the oldest unfinished fan-out created by createdBy, locked on PostgreSQL
// so that two replicas never work one page twice at once.
func (s *Store) nextFanout(ctx context.Context, createdBy time.Time) (*fanoutJob, error) {
	lock := ""
	if s.db.Dialect == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var jobs []fanoutJob
	err := s.idb.NewRaw(`SELECT id, media_id, title, cursor, inserted FROM fanout_jobs WHERE done = FALSE
		AND created_at <= ? ORDER BY created_at, id LIMIT 1`+lock, createdBy).Scan(ctx, &jobs)
	if err != nil || len(jobs) == 0 {
		return nil, err
	}
	return &jobs[0], nil
}

// followersPage returns up to limit users, after cursor in ID order, who
// follow one of an item's authors, categories or tags. Each reference is
// its own range scan of the follows primary key (target, user), merged:
// a page costs the same however deep into the audience it is.
func (s *Store) followersPage(ctx context.Context, mediaID, cursor string, limit int) ([]string, error) {
	if cursor == "" {
		cursor = "00000000-0000-0000-0000-000000000000" // before every UUID, and a valid one for PostgreSQL
	}
	var refs []struct {
		RefType string `bun:"ref_type"`
		RefID   string `bun:"ref_id"`
	}
	if err := s.idb.NewRaw("SELECT ref_type, ref_id FROM media_refs WHERE media_id = ? ORDER BY ref_type, ref_id", mediaID).Scan(ctx, &refs); err != nil {
		return nil, fmt.Errorf("refs of %s: %w", mediaID, err)
	}
	if len(refs) == 0 {
		return nil, nil
	}
	parts := make([]string, len(refs))
	args := make([]any, 0, len(refs)*4+1)
	for i, r := range refs {
		parts[i] = fmt.Sprintf(`SELECT user_id FROM (SELECT user_id FROM follows WHERE target_type = ? AND target_id = ? AND user_id > ?
			ORDER BY user_id LIMIT ?) AS f%d`, i)
		args = append(args, r.RefType, r.RefID, cursor, limit)
	}
	var out []string
	err := s.idb.NewRaw(`SELECT user_id FROM (`+strings.Join(parts, " UNION ")+`) AS u ORDER BY user_id LIMIT ?`,
		append(args, limit)...).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("followers of %s: %w", mediaID, err)
	}
	return out, nil
}

// advanceFanout records a finished page.
func (s *Store) advanceFanout(ctx context.Context, id, cursor string, added int64, done bool, at time.Time) error {
	_, err := s.exec(ctx, "UPDATE fanout_jobs SET cursor = ?, inserted = inserted + ?, done = ?, updated_at = ? WHERE id = ?",
		cursor, added, done, at, id)
	return err
}

// pendingFanouts counts unfinished fan-outs (a gauge).
func (s *Store) pendingFanouts(ctx context.Context) (int64, error) {
	var n []int64
	err := s.idb.NewRaw("SELECT COUNT(*) FROM fanout_jobs WHERE done = FALSE").Scan(ctx, &n)
	if err != nil || len(n) == 0 {
		return 0, err
	}
	return n[0], nil
}
