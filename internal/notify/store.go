package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
)

// Store is notify's repository: the only place with SQL, one code path for
// SQLite and PostgreSQL. A Store bound to a consumer's transaction or made inside Tx works in that
// transaction.
type Store struct {
	db  *db.DB
	idb bun.IDB
}

// NewStore wraps an open, migrated store.
func NewStore(d *db.DB) *Store { return &Store{db: d, idb: d.DB} }

// bound binds the repository to a consumer's transaction (events.Bind).
func (s *Store) bound(idb bun.IDB) *Store { return &Store{db: s.db, idb: idb} }

// Tx runs fn in one transaction; inside a transaction it just runs fn.
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

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// ---- the read model ----

func (s *Store) applyFollow(ctx context.Context, userID, typ, id string, add bool) error {
	var err error
	if add {
		_, err = s.exec(ctx, `INSERT INTO follows (user_id, target_type, target_id) VALUES (?, ?, ?)
			ON CONFLICT (target_type, target_id, user_id) DO NOTHING`, userID, typ, id)
	} else {
		_, err = s.exec(ctx, "DELETE FROM follows WHERE user_id = ? AND target_type = ? AND target_id = ?", userID, typ, id)
	}
	return err
}

func (s *Store) applyMember(ctx context.Context, authorID, userID string, add bool) error {
	var err error
	if add {
		_, err = s.exec(ctx, `INSERT INTO members (author_id, user_id) VALUES (?, ?)
			ON CONFLICT (author_id, user_id) DO NOTHING`, authorID, userID)
	} else {
		_, err = s.exec(ctx, "DELETE FROM members WHERE author_id = ? AND user_id = ?", authorID, userID)
	}
	return err
}

func (s *Store) forgetAuthor(ctx context.Context, authorID string) error {
	_, err := s.exec(ctx, "DELETE FROM members WHERE author_id = ?", authorID)
	return err
}

func (s *Store) applyUser(ctx context.Context, id, email, name string, version int64) error {
	_, err := s.exec(ctx, `INSERT INTO users (id, email, display_name, version) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET email = excluded.email, display_name = excluded.display_name, version = excluded.version
		WHERE users.version < excluded.version`, id, email, name, version)
	return err
}

// eraseUser forgets everything notify holds of a user.
func (s *Store) eraseUser(ctx context.Context, id string) error {
	for _, q := range []string{
		"DELETE FROM deliveries WHERE user_id = ?", "DELETE FROM notifications WHERE user_id = ?",
		"DELETE FROM preferences WHERE user_id = ?", "DELETE FROM follows WHERE user_id = ?",
		"DELETE FROM members WHERE user_id = ?", "DELETE FROM users WHERE id = ?",
		"DELETE FROM account_mails WHERE user_id = ?", "DELETE FROM user_settings WHERE user_id = ?",
		"DELETE FROM push_subscriptions WHERE user_id = ?", "DELETE FROM devices WHERE user_id = ?",
		"DELETE FROM webhook_deliveries WHERE webhook_id IN (SELECT id FROM webhooks WHERE created_by = ?)",
		"DELETE FROM webhooks WHERE created_by = ?",
	} {
		if _, err := s.exec(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// userEmail returns a user's address ("" when notify does not know it).
func (s *Store) userEmail(ctx context.Context, id string) (string, error) {
	var out []string
	err := s.idb.NewRaw("SELECT email FROM users WHERE id = ?", id).Scan(ctx, &out)
	if err != nil || len(out) == 0 {
		return "", err
	}
	return out[0], nil
}

// mediaRefs pairs a reference type with its IDs.
type mediaRefs struct {
	Authors, Categories, Tags []string
}

// applyMedia stores an item's title and references unless the store has
// that version or a later one.
func (s *Store) applyMedia(ctx context.Context, id, title, kind string, version int64, refs mediaRefs) error {
	var have []int64
	if err := s.idb.NewRaw("SELECT version FROM media WHERE id = ?", id).Scan(ctx, &have); err != nil {
		return fmt.Errorf("media %s: %w", id, err)
	}
	if len(have) > 0 && have[0] >= version {
		return nil
	}
	var err error
	if len(have) == 0 {
		_, err = s.exec(ctx, "INSERT INTO media (id, title, kind, version) VALUES (?, ?, ?, ?)", id, title, kind, version)
	} else {
		_, err = s.exec(ctx, "UPDATE media SET title = ?, kind = ?, version = ? WHERE id = ?", title, kind, version, id)
	}
	if err != nil {
		return fmt.Errorf("media %s: %w", id, err)
	}
	if _, err := s.exec(ctx, "DELETE FROM media_refs WHERE media_id = ?", id); err != nil {
		return err
	}
	seen := map[[2]string]bool{}
	var args []any
	add := func(typ string, ids []string) {
		for _, ref := range ids {
			if ref != "" && !seen[[2]string{typ, ref}] {
				seen[[2]string{typ, ref}] = true
				args = append(args, id, typ, ref)
			}
		}
	}
	add("author", refs.Authors)
	add("category", refs.Categories)
	add("tag", refs.Tags)
	if len(args) == 0 {
		return nil
	}
	rows := strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(args)/3), ", ")
	_, err = s.exec(ctx, "INSERT INTO media_refs (media_id, ref_type, ref_id) VALUES "+rows, args...)
	return err
}

func (s *Store) forgetMedia(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, "DELETE FROM media_refs WHERE media_id = ?", id); err != nil {
		return err
	}
	_, err := s.exec(ctx, "DELETE FROM media WHERE id = ?", id)
	return err
}

// mediaTitle returns an item's title ("" when unknown).
func (s *Store) mediaTitle(ctx context.Context, id string) (string, error) {
	var out []string
	err := s.idb.NewRaw("SELECT title FROM media WHERE id = ?", id).Scan(ctx, &out)
	if err != nil || len(out) == 0 {
		return "", err
	}
	return out[0], nil
}

// mediaMembers returns the members of an item's authors.
func (s *Store) mediaMembers(ctx context.Context, mediaID string) ([]string, error) {
	var out []string
	err := s.idb.NewRaw(`SELECT DISTINCT m.user_id FROM media_refs r JOIN members m ON m.author_id = r.ref_id
		WHERE r.media_id = ? AND r.ref_type = 'author' ORDER BY m.user_id`, mediaID).Scan(ctx, &out)
	return out, err
}

// authorMembers returns an author's members.
func (s *Store) authorMembers(ctx context.Context, authorID string) ([]string, error) {
	var out []string
	err := s.idb.NewRaw("SELECT user_id FROM members WHERE author_id = ? ORDER BY user_id", authorID).Scan(ctx, &out)
	return out, err
}

// ---- the inbox ----

type notificationRow struct {
	bun.BaseModel `bun:"table:notifications"`
	ID            string     `bun:"id,pk"`
	UserID        string     `bun:"user_id"`
	Type          string     `bun:"type"`
	Title         string     `bun:"title"`
	Body          string     `bun:"body"`
	Subject       string     `bun:"subject"`
	SourceKey     string     `bun:"source_key"`
	CreatedAt     time.Time  `bun:"created_at"`
	ReadAt        *time.Time `bun:"read_at"`
}

func (r notificationRow) domain() domain.Notification {
	return domain.Notification{ID: r.ID, UserID: r.UserID, Type: r.Type, Title: r.Title, Body: r.Body,
		Subject: r.Subject, SourceKey: r.SourceKey, CreatedAt: r.CreatedAt, ReadAt: r.ReadAt}
}

// insertNotifications adds notifications (given IDs or new UUIDv7s) and
// returns those that were new: a (user, source) already in an inbox is
// skipped, so repeating a batch adds nothing.
func (s *Store) insertNotifications(ctx context.Context, list []domain.Notification) ([]domain.Notification, error) {
	if len(list) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(list)*8)
	byID := make(map[string]domain.Notification, len(list))
	for _, n := range list {
		if n.ID == "" {
			n.ID = uuid.Must(uuid.NewV7()).String()
		}
		byID[n.ID] = n
		args = append(args, n.ID, n.UserID, n.Type, n.Title, n.Body, n.Subject, n.SourceKey, n.CreatedAt)
	}
	rows := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", len(list)), ", ")
	var ids []string
	err := s.idb.NewRaw(`INSERT INTO notifications (id, user_id, type, title, body, subject, source_key, created_at)
		VALUES `+rows+` ON CONFLICT (user_id, source_key) DO NOTHING RETURNING id`, args...).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	out := make([]domain.Notification, 0, len(ids))
	for _, id := range ids {
		out = append(out, byID[id])
	}
	return out, nil
}

// inboxQuery selects a page of a user's inbox.
type inboxQuery struct {
	UserID     string
	Before     string // newest first: IDs below this one
	After      string // oldest first (the stream): IDs above this one
	UnreadOnly bool
	Limit      int
}

func (s *Store) inbox(ctx context.Context, q inboxQuery) ([]domain.Notification, error) {
	var rows []notificationRow
	sel := s.idb.NewSelect().Model(&rows).Where("user_id = ?", q.UserID)
	if q.UnreadOnly {
		sel = sel.Where("read_at IS NULL")
	}
	switch {
	case q.After != "":
		sel = sel.Where("id > ?", q.After).Order("id ASC")
	case q.Before != "":
		sel = sel.Where("id < ?", q.Before).Order("id DESC")
	default:
		sel = sel.Order("id DESC")
	}
	if err := sel.Limit(int64(q.Limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	out := make([]domain.Notification, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// latestID is the newest notification ID of a user ("" when none).
func (s *Store) latestID(ctx context.Context, userID string) (string, error) {
	var ids []string
	err := s.idb.NewRaw("SELECT id FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT 1", userID).Scan(ctx, &ids)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

var errNoNotification = errors.New("no such notification")

// markRead marks one of the user's notifications read.
func (s *Store) markRead(ctx context.Context, userID, id string, at time.Time) error {
	var found []int
	if err := s.idb.NewRaw("SELECT 1 FROM notifications WHERE id = ? AND user_id = ?", id, userID).Scan(ctx, &found); err != nil {
		return err
	}
	if len(found) == 0 {
		return errNoNotification
	}
	_, err := s.exec(ctx, "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL", at, id, userID)
	return err
}

// markAllRead marks every unread notification of the user read.
func (s *Store) markAllRead(ctx context.Context, userID string, at time.Time) (int64, error) {
	return s.exec(ctx, "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL", at, userID)
}

func (s *Store) unreadCount(ctx context.Context, userID string) (int64, error) {
	var n []int64
	err := s.idb.NewRaw("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", userID).Scan(ctx, &n)
	if err != nil || len(n) == 0 {
		return 0, err
	}
	return n[0], nil
}

// ---- preferences ----

func (s *Store) preferences(ctx context.Context, userIDs []string, typ string) (map[string][]domain.Preference, error) {
	out := map[string][]domain.Preference{}
	if len(userIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		UserID  string `bun:"user_id"`
		Type    string `bun:"type"`
		Channel string `bun:"channel"`
		Enabled bool   `bun:"enabled"`
	}
	q := "SELECT user_id, type, channel, enabled FROM preferences WHERE user_id IN (" + placeholders(len(userIDs)) + ")"
	args := make([]any, 0, len(userIDs)+1)
	for _, id := range userIDs {
		args = append(args, id)
	}
	if typ != "" {
		q += " AND type = ?"
		args = append(args, typ)
	}
	if err := s.idb.NewRaw(q, args...).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("preferences: %w", err)
	}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], domain.Preference{Type: r.Type, Channel: r.Channel, Enabled: r.Enabled})
	}
	return out, nil
}

func (s *Store) putPreferences(ctx context.Context, userID string, prefs []domain.Preference) error {
	if _, err := s.exec(ctx, "DELETE FROM preferences WHERE user_id = ?", userID); err != nil {
		return err
	}
	for _, p := range prefs {
		if _, err := s.exec(ctx, `INSERT INTO preferences (user_id, type, channel, enabled) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, type, channel) DO UPDATE SET enabled = excluded.enabled`, userID, p.Type, p.Channel, p.Enabled); err != nil {
			return err
		}
	}
	return nil
}
