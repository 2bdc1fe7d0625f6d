package notify

import (
	"context"
	"fmt"
	"time"
)

// accountMail is one transactional mail identity asked for.
type accountMail struct {
	ID        string    `bun:"id"`
	UserID    string    `bun:"user_id"`
	Kind      string    `bun:"kind"`
	To        string    `bun:"to_addr"`
	Subject   string    `bun:"subject"`
	Text      string    `bun:"text_body"`
	HTML      string    `bun:"html_body"`
	State     string    `bun:"state"`
	Attempts  int       `bun:"attempts"`
	NextAt    time.Time `bun:"next_at"`
	ExpiresAt time.Time `bun:"expires_at"`
	CreatedAt time.Time `bun:"created_at"`
}

// stateExpired: the link ran out before the mail could be sent.
const stateExpired = "expired"

// queueAccountMail records a mail once (its ID is the event's).
func (s *Store) queueAccountMail(ctx context.Context, m accountMail) error {
	_, err := s.exec(ctx, `INSERT INTO account_mails (id, user_id, kind, to_addr, subject, text_body, html_body, state, attempts, next_at, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		m.ID, m.UserID, m.Kind, m.To, m.Subject, m.Text, m.HTML, statePending, m.NextAt, m.ExpiresAt, m.CreatedAt)
	if err != nil {
		return fmt.Errorf("account mail: %w", err)
	}
	return nil
}

func (s *Store) dueAccountMails(ctx context.Context, now time.Time, limit int) ([]accountMail, error) {
	var out []accountMail
	err := s.idb.NewRaw(`SELECT id, user_id, kind, to_addr, subject, text_body, html_body, state, attempts, next_at, expires_at, created_at
		FROM account_mails WHERE state = ? AND next_at <= ? ORDER BY next_at, id LIMIT ?`, statePending, now, limit).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("due account mails: %w", err)
	}
	return out, nil
}

// claimAccountMail leases a due mail until lease (as claimDelivery).
func (s *Store) claimAccountMail(ctx context.Context, m accountMail, lease time.Time) (bool, error) {
	n, err := s.exec(ctx, "UPDATE account_mails SET next_at = ?, attempts = attempts + 1 WHERE id = ? AND state = ? AND attempts = ?",
		lease, m.ID, statePending, m.Attempts)
	return n == 1, err
}

// finishAccountMail records an outcome. A finished mail (not pending) loses
// its bodies: the link in them is a secret nobody needs any more.
func (s *Store) finishAccountMail(ctx context.Context, id, state, lastError string, next, at time.Time) error {
	var sentAt any
	if state == stateSent {
		sentAt = at
	}
	q := "UPDATE account_mails SET state = ?, last_error = ?, next_at = ?, sent_at = ? WHERE id = ?"
	if state != statePending {
		q = "UPDATE account_mails SET state = ?, last_error = ?, next_at = ?, sent_at = ?, text_body = '', html_body = '' WHERE id = ?"
	}
	_, err := s.exec(ctx, q, state, lastError, next, sentAt, id)
	return err
}
