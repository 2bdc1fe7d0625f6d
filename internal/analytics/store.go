package analytics

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/analytics/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
)

// Store is analytics' repository: the only place with SQL, one code path
// for SQLite and PostgreSQL. A Store made by InTx works in that
// transaction (an event handler's).
type Store struct {
	db  *db.DB
	idb bun.IDB
}

// NewStore wraps an open, migrated store.
func NewStore(d *db.DB) *Store { return &Store{db: d, idb: d.DB} }

// bound binds the repository to a consumer's transaction (events.Bind).
func (s *Store) bound(idb bun.IDB) *Store { return &Store{db: s.db, idb: idb} }

// Tx runs fn in one transaction.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	if _, ok := s.idb.(bun.Tx); ok {
		return fn(s)
	}
	return s.db.RunInTx(ctx, nil, func(_ context.Context, tx bun.Tx) error {
		return fn(&Store{db: s.db, idb: tx})
	})
}

// Ping checks the store answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.idb.NewRaw(query, args...).Exec(ctx)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Media is what analytics knows of a catalog item.
type Media struct {
	ID          string `bun:"id"`
	Kind        string `bun:"kind"`
	Language    string `bun:"language"`
	Status      string `bun:"status"`
	CategoryIDs string `bun:"category_ids"` // comma-separated
	Version     int64  `bun:"version"`
}

// applyMedia stores an item unless the stored version is newer.
func (s *Store) applyMedia(ctx context.Context, m Media, authors []string) error {
	n, err := s.exec(ctx, `INSERT INTO analytics_media (id, kind, language, status, category_ids, version) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, language = EXCLUDED.language, status = EXCLUDED.status,
		category_ids = EXCLUDED.category_ids, version = EXCLUDED.version WHERE analytics_media.version <= EXCLUDED.version`,
		m.ID, m.Kind, m.Language, m.Status, m.CategoryIDs, m.Version)
	if err != nil {
		return fmt.Errorf("media %s: %w", m.ID, err)
	}
	if n == 0 {
		return nil // an older event
	}
	if _, err := s.exec(ctx, "DELETE FROM analytics_media_authors WHERE media_id = ?", m.ID); err != nil {
		return fmt.Errorf("media %s authors: %w", m.ID, err)
	}
	for _, a := range authors {
		if _, err := s.exec(ctx, `INSERT INTO analytics_media_authors (media_id, author_id) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, m.ID, a); err != nil {
			return fmt.Errorf("media %s authors: %w", m.ID, err)
		}
	}
	return nil
}

func (s *Store) forgetMedia(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, "DELETE FROM analytics_media WHERE id = ?", id); err != nil {
		return fmt.Errorf("media %s: %w", id, err)
	}
	return nil
}

func (s *Store) setMember(ctx context.Context, authorID, userID string, member bool) error {
	var err error
	if member {
		_, err = s.exec(ctx, "INSERT INTO analytics_members (author_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING", authorID, userID)
	} else {
		_, err = s.exec(ctx, "DELETE FROM analytics_members WHERE author_id = ? AND user_id = ?", authorID, userID)
	}
	if err != nil {
		return fmt.Errorf("member: %w", err)
	}
	return nil
}

func (s *Store) isMember(ctx context.Context, authorID, userID string) (bool, error) {
	var n []int
	if err := s.idb.NewRaw("SELECT 1 FROM analytics_members WHERE author_id = ? AND user_id = ?", authorID, userID).Scan(ctx, &n); err != nil {
		return false, fmt.Errorf("member: %w", err)
	}
	return len(n) > 0, nil
}

// authorMedia lists the items crediting an author (visible ones only when
// visibleOnly).
func (s *Store) authorMedia(ctx context.Context, authorID string, visibleOnly bool) ([]string, error) {
	q := `SELECT a.media_id FROM analytics_media_authors a JOIN analytics_media m ON m.id = a.media_id WHERE a.author_id = ?`
	if visibleOnly {
		q += " AND m.status = 'published'"
	}
	var ids []string
	if err := s.idb.NewRaw(q+" ORDER BY a.media_id", authorID).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("author media: %w", err)
	}
	return ids, nil
}

// addScore adds dy to an item's y in a window.
func (s *Store) addScore(ctx context.Context, w domain.Window, start int64, mediaID string, dy float64) error {
	_, err := s.exec(ctx, `INSERT INTO analytics_scores (win, start, media_id, y) VALUES (?, ?, ?, ?)
		ON CONFLICT (win, start, media_id) DO UPDATE SET y = analytics_scores.y + EXCLUDED.y`, string(w), start, mediaID, dy)
	if err != nil {
		return fmt.Errorf("score: %w", err)
	}
	return nil
}

// hourCounts are an item's counts in one hour (or changes to them).
type hourCounts struct {
	Views         int64 `bun:"views"`
	UniqueViewers int64 `bun:"unique_viewers"`
	Likes         int64 `bun:"likes"`
	Completions   int64 `bun:"completions"`
}

func (s *Store) addItemHour(ctx context.Context, mediaID string, hour int64, d hourCounts) error {
	_, err := s.exec(ctx, `INSERT INTO analytics_item_hours (media_id, hour, views, unique_viewers, likes, completions) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (media_id, hour) DO UPDATE SET views = analytics_item_hours.views + EXCLUDED.views,
		unique_viewers = analytics_item_hours.unique_viewers + EXCLUDED.unique_viewers,
		likes = analytics_item_hours.likes + EXCLUDED.likes, completions = analytics_item_hours.completions + EXCLUDED.completions`,
		mediaID, hour, d.Views, d.UniqueViewers, d.Likes, d.Completions)
	if err != nil {
		return fmt.Errorf("item hour: %w", err)
	}
	return nil
}

func (s *Store) addFollower(ctx context.Context, authorID string, hour int64) error {
	_, err := s.exec(ctx, `INSERT INTO analytics_author_hours (author_id, hour, new_followers) VALUES (?, ?, 1)
		ON CONFLICT (author_id, hour) DO UPDATE SET new_followers = analytics_author_hours.new_followers + 1`, authorID, hour)
	if err != nil {
		return fmt.Errorf("author hour: %w", err)
	}
	return nil
}

// addCompletion records a user's first completion of an item; first is
// false when they had finished it before.
func (s *Store) addCompletion(ctx context.Context, userID, mediaID string, at int64) (first bool, err error) {
	n, err := s.exec(ctx, `INSERT INTO analytics_completions (user_id, media_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		userID, mediaID, at)
	if err != nil {
		return false, fmt.Errorf("completion: %w", err)
	}
	return n > 0, nil
}

// scoreRow is one visible item's y in a window, with its metadata.
type scoreRow struct {
	MediaID     string  `bun:"media_id"`
	Kind        string  `bun:"kind"`
	Language    string  `bun:"language"`
	CategoryIDs string  `bun:"category_ids"`
	Y           float64 `bun:"y"`
	YPrev       float64 `bun:"y_prev"`
}

// windowScores lists the visible items with engagement in a window and
// their y in the window before.
func (s *Store) windowScores(ctx context.Context, w domain.Window, start int64) ([]scoreRow, error) {
	var out []scoreRow
	err := s.idb.NewRaw(`SELECT c.media_id, m.kind, m.language, m.category_ids, c.y, COALESCE(p.y, 0.0) AS y_prev
		FROM analytics_scores c
		JOIN analytics_media m ON m.id = c.media_id AND m.status = 'published'
		LEFT JOIN analytics_scores p ON p.win = c.win AND p.start = ? AND p.media_id = c.media_id
		WHERE c.win = ? AND c.start = ? AND c.y > 0`, start-w.Seconds(), string(w), start).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("scores: %w", err)
	}
	return out, nil
}

// itemHour is one item's counts in one hour.
type itemHour struct {
	MediaID string `bun:"media_id"`
	Hour    int64  `bun:"hour"`
	hourCounts
}

func (s *Store) authorItemHours(ctx context.Context, authorID string, from, to int64) ([]itemHour, error) {
	var out []itemHour
	err := s.idb.NewRaw(`SELECT h.media_id, h.hour, h.views, h.unique_viewers, h.likes, h.completions
		FROM analytics_item_hours h JOIN analytics_media_authors a ON a.media_id = h.media_id
		WHERE a.author_id = ? AND h.hour >= ? AND h.hour < ? ORDER BY h.media_id, h.hour`, authorID, from, to).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("item hours: %w", err)
	}
	return out, nil
}

type followerHour struct {
	Hour         int64 `bun:"hour"`
	NewFollowers int64 `bun:"new_followers"`
}

func (s *Store) authorFollowerHours(ctx context.Context, authorID string, from, to int64) ([]followerHour, error) {
	var out []followerHour
	err := s.idb.NewRaw(`SELECT hour, new_followers FROM analytics_author_hours WHERE author_id = ? AND hour >= ? AND hour < ?
		ORDER BY hour`, authorID, from, to).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("follower hours: %w", err)
	}
	return out, nil
}

// relatedRow is an item related to another, with its score.
type relatedRow struct {
	MediaID string  `bun:"related_id"`
	Kind    string  `bun:"kind"`
	Score   float64 `bun:"score"`
}

// related lists the visible items related to one, best first.
func (s *Store) related(ctx context.Context, mediaID string, limit int) ([]relatedRow, error) {
	var out []relatedRow
	err := s.idb.NewRaw(`SELECT r.related_id, m.kind, r.score FROM analytics_related r
		JOIN analytics_media m ON m.id = r.related_id AND m.status = 'published'
		WHERE r.media_id = ? ORDER BY r.score DESC, r.related_id LIMIT ?`, mediaID, limit).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("related: %w", err)
	}
	return out, nil
}

func (s *Store) mediaVisible(ctx context.Context, id string) (bool, error) {
	var n []int
	if err := s.idb.NewRaw("SELECT 1 FROM analytics_media WHERE id = ? AND status = 'published'", id).Scan(ctx, &n); err != nil {
		return false, fmt.Errorf("media: %w", err)
	}
	return len(n) > 0, nil
}

// eraseUser deletes the rows that name a user (counts stay).
func (s *Store) eraseUser(ctx context.Context, userID string) error {
	for _, q := range []string{"DELETE FROM analytics_completions WHERE user_id = ?", "DELETE FROM analytics_members WHERE user_id = ?"} {
		if _, err := s.exec(ctx, q, userID); err != nil {
			return fmt.Errorf("erase user: %w", err)
		}
	}
	return nil
}

func joinIDs(ids []string) string { return strings.Join(ids, ",") }

func splitIDs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
