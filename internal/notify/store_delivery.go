package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// delivery is one notification on one channel.
type delivery struct {
	ID             string    `bun:"id"`
	NotificationID string    `bun:"notification_id"`
	UserID         string    `bun:"user_id"`
	Channel        string    `bun:"channel"`
	State          string    `bun:"state"`
	Attempts       int       `bun:"attempts"`
	NextAt         time.Time `bun:"next_at"`
	LastError      string    `bun:"last_error"`
	CreatedAt      time.Time `bun:"created_at"`
	// From the notification:
	Type    string `bun:"type"`
	Title   string `bun:"title"`
	Body    string `bun:"body"`
	Subject string `bun:"subject"`
}

// Delivery states.
const (
	statePending = "pending"
	stateSent    = "sent"
	stateFailed  = "failed"
	stateSkipped = "skipped"
)

// queueDeliveries records that notifications go out on channel: one row
// per notification and channel, so a repeat queues nothing.
func (s *Store) queueDeliveries(ctx context.Context, channel string, notificationIDs, userIDs []string, at time.Time) error {
	if len(notificationIDs) == 0 {
		return nil
	}
	args := make([]any, 0, len(notificationIDs)*7)
	for i, id := range notificationIDs {
		args = append(args, uuid.Must(uuid.NewV7()).String(), id, userIDs[i], channel, statePending, at, at)
	}
	rows := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", len(notificationIDs)), ", ")
	_, err := s.exec(ctx, `INSERT INTO deliveries (id, notification_id, user_id, channel, state, next_at, created_at)
		VALUES `+rows+` ON CONFLICT (notification_id, channel) DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("deliveries: %w", err)
	}
	return nil
}

// dueDeliveries returns pending deliveries whose time has come.
func (s *Store) dueDeliveries(ctx context.Context, now time.Time, limit int) ([]delivery, error) {
	var out []delivery
	err := s.idb.NewRaw(`SELECT d.id, d.notification_id, d.user_id, d.channel, d.state, d.attempts, d.next_at, d.last_error, d.created_at,
		n.type, n.title, n.body, n.subject
		FROM deliveries d JOIN notifications n ON n.id = d.notification_id
		WHERE d.state = ? AND d.next_at <= ? ORDER BY d.next_at, d.id LIMIT ?`, statePending, now, limit).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("due deliveries: %w", err)
	}
	return out, nil
}

// claimDelivery leases a due delivery until lease: only the caller whose
// update matched sends it.
func (s *Store) claimDelivery(ctx context.Context, d delivery, lease time.Time) (bool, error) {
	n, err := s.exec(ctx, "UPDATE deliveries SET next_at = ?, attempts = attempts + 1 WHERE id = ? AND state = ? AND attempts = ?",
		lease, d.ID, statePending, d.Attempts)
	return n == 1, err
}

// finishDelivery records an outcome: sent, failed for good, skipped, or
// pending again at next.
func (s *Store) finishDelivery(ctx context.Context, id, state, lastError string, next, at time.Time) error {
	var sentAt any
	if state == stateSent {
		sentAt = at
	}
	_, err := s.exec(ctx, "UPDATE deliveries SET state = ?, last_error = ?, next_at = ?, sent_at = ? WHERE id = ?",
		state, lastError, next, sentAt, id)
	return err
}
