package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
)

type webhookRow struct {
	bun.BaseModel `bun:"table:webhooks"`
	ID            string     `bun:"id,pk"`
	AuthorID      string     `bun:"author_id"`
	CreatedBy     string     `bun:"created_by"`
	URL           string     `bun:"url"`
	EventTypes    string     `bun:"event_types"`
	Secret        string     `bun:"secret"`
	Enabled       bool       `bun:"enabled"`
	Failures      int        `bun:"failures"`
	CreatedAt     time.Time  `bun:"created_at"`
	DisabledAt    *time.Time `bun:"disabled_at"`
}

func (r webhookRow) domain() domain.Webhook {
	return domain.Webhook{ID: r.ID, AuthorID: r.AuthorID, CreatedBy: r.CreatedBy, URL: r.URL,
		EventTypes: strings.Split(r.EventTypes, ","), Secret: r.Secret, Enabled: r.Enabled, Failures: r.Failures,
		CreatedAt: r.CreatedAt, DisabledAt: r.DisabledAt}
}

func (s *Store) addWebhook(ctx context.Context, w domain.Webhook) error {
	row := webhookRow{ID: w.ID, AuthorID: w.AuthorID, CreatedBy: w.CreatedBy, URL: w.URL,
		EventTypes: strings.Join(w.EventTypes, ","), Secret: w.Secret, Enabled: true, CreatedAt: w.CreatedAt}
	_, err := s.idb.NewInsert().Model(&row).Exec(ctx)
	return err
}

var errNoWebhook = errors.New("no such webhook")

func (s *Store) webhook(ctx context.Context, id string) (domain.Webhook, error) {
	var row webhookRow
	err := s.idb.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Webhook{}, errNoWebhook
	}
	if err != nil {
		return domain.Webhook{}, err
	}
	return row.domain(), nil
}

func (s *Store) deleteWebhook(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, "DELETE FROM webhook_deliveries WHERE webhook_id = ?", id); err != nil {
		return err
	}
	_, err := s.exec(ctx, "DELETE FROM webhooks WHERE id = ?", id)
	return err
}

// isMember reports whether a user is a member of an author.
func (s *Store) isMember(ctx context.Context, authorID, userID string) (bool, error) {
	var n []int
	err := s.idb.NewRaw("SELECT 1 FROM members WHERE author_id = ? AND user_id = ?", authorID, userID).Scan(ctx, &n)
	return len(n) > 0, err
}

// queueWebhooks records one delivery of an event to every enabled webhook
// of the authors that subscribes to its type; a repeat queues nothing.
func (s *Store) queueWebhooks(ctx context.Context, authorIDs []string, typ, key string, payload []byte, at time.Time) (int, error) {
	if len(authorIDs) == 0 {
		return 0, nil
	}
	args := make([]any, 0, len(authorIDs))
	for _, a := range authorIDs {
		args = append(args, a)
	}
	var rows []webhookRow
	if err := s.idb.NewSelect().Model(&rows).Where("author_id IN ("+placeholders(len(authorIDs))+")", args...).
		Where("enabled = ?", true).Scan(ctx); err != nil {
		return 0, fmt.Errorf("webhooks: %w", err)
	}
	n := 0
	for _, w := range rows {
		if !w.domain().Wants(typ) {
			continue
		}
		c, err := s.exec(ctx, `INSERT INTO webhook_deliveries (id, webhook_id, event_key, event_type, payload, state, next_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (webhook_id, event_key) DO NOTHING`,
			uuid.Must(uuid.NewV7()).String(), w.ID, key, typ, string(payload), statePending, at, at)
		if err != nil {
			return n, fmt.Errorf("webhook deliveries: %w", err)
		}
		n += int(c)
	}
	return n, nil
}

// webhookDelivery is one event sent (or to send) to one webhook.
type webhookDelivery struct {
	ID         string     `bun:"id"`
	WebhookID  string     `bun:"webhook_id"`
	EventKey   string     `bun:"event_key"`
	EventType  string     `bun:"event_type"`
	Payload    string     `bun:"payload"`
	State      string     `bun:"state"`
	Attempts   int        `bun:"attempts"`
	NextAt     time.Time  `bun:"next_at"`
	StatusCode int        `bun:"status_code"`
	LastError  string     `bun:"last_error"`
	CreatedAt  time.Time  `bun:"created_at"`
	SentAt     *time.Time `bun:"sent_at"`
	// From the webhook (due deliveries only):
	URL    string `bun:"url"`
	Secret string `bun:"secret"`
}

const webhookDeliveryCols = "d.id, d.webhook_id, d.event_key, d.event_type, d.payload, d.state, d.attempts, d.next_at, d.status_code, d.last_error, d.created_at, d.sent_at"

func (s *Store) dueWebhookDeliveries(ctx context.Context, now time.Time, limit int) ([]webhookDelivery, error) {
	var out []webhookDelivery
	err := s.idb.NewRaw(`SELECT `+webhookDeliveryCols+`, w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.state = ? AND d.next_at <= ? AND w.enabled = ? ORDER BY d.next_at, d.id LIMIT ?`, statePending, now, true, limit).Scan(ctx, &out)
	return out, err
}

func (s *Store) claimWebhookDelivery(ctx context.Context, d webhookDelivery, lease time.Time) (bool, error) {
	n, err := s.exec(ctx, "UPDATE webhook_deliveries SET next_at = ?, attempts = attempts + 1 WHERE id = ? AND state = ? AND attempts = ?",
		lease, d.ID, statePending, d.Attempts)
	return n == 1, err
}

// finishWebhookDelivery records an attempt's outcome and keeps the
// webhook's count of consecutive failures, disabling it at disableAfter.
func (s *Store) finishWebhookDelivery(ctx context.Context, d webhookDelivery, state string, code int, msg string, next, at time.Time, disableAfter int) (disabled bool, err error) {
	var sentAt any
	if state == stateSent {
		sentAt = at
	}
	if _, err := s.exec(ctx, "UPDATE webhook_deliveries SET state = ?, status_code = ?, last_error = ?, next_at = ?, sent_at = ? WHERE id = ?",
		state, code, msg, next, sentAt, d.ID); err != nil {
		return false, err
	}
	if state == stateSent {
		_, err = s.exec(ctx, "UPDATE webhooks SET failures = 0 WHERE id = ? AND failures <> 0", d.WebhookID)
		return false, err
	}
	if _, err := s.exec(ctx, "UPDATE webhooks SET failures = failures + 1 WHERE id = ?", d.WebhookID); err != nil {
		return false, err
	}
	n, err := s.exec(ctx, "UPDATE webhooks SET enabled = ?, disabled_at = ? WHERE id = ? AND enabled = ? AND failures >= ?",
		false, at, d.WebhookID, true, disableAfter)
	return n == 1, err
}

func (s *Store) webhookDeliveries(ctx context.Context, webhookID, before string, limit int) ([]webhookDelivery, error) {
	var out []webhookDelivery
	q := "SELECT " + webhookDeliveryCols + " FROM webhook_deliveries d WHERE d.webhook_id = ?"
	args := []any{webhookID}
	if before != "" {
		q += " AND d.id < ?"
		args = append(args, before)
	}
	err := s.idb.NewRaw(q+" ORDER BY d.id DESC LIMIT ?", append(args, limit)...).Scan(ctx, &out)
	return out, err
}

// redeliver queues a delivery again (any state) and re-enables its webhook.
func (s *Store) redeliver(ctx context.Context, webhookID, id string, at time.Time) (bool, error) {
	n, err := s.exec(ctx, "UPDATE webhook_deliveries SET state = ?, attempts = 0, next_at = ?, sent_at = NULL WHERE id = ? AND webhook_id = ?",
		statePending, at, id, webhookID)
	if err != nil || n == 0 {
		return false, err
	}
	_, err = s.exec(ctx, "UPDATE webhooks SET enabled = ?, failures = 0, disabled_at = NULL WHERE id = ?", true, webhookID)
	return true, err
}

// mediaAuthors returns an item's authors.
func (s *Store) mediaAuthors(ctx context.Context, mediaID string) ([]string, error) {
	var out []string
	err := s.idb.NewRaw("SELECT ref_id FROM media_refs WHERE media_id = ? AND ref_type = 'author' ORDER BY ref_id", mediaID).Scan(ctx, &out)
	return out, err
}
