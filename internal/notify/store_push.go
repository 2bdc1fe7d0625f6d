package notify

import (
	"context"
	"time"

	"github.com/google/uuid"
)

type pushSubscription struct {
	ID       string `bun:"id"`
	UserID   string `bun:"user_id"`
	Endpoint string `bun:"endpoint"`
	P256dh   string `bun:"p256dh"`
	Auth     string `bun:"auth"`
}

// savePushSubscription stores (or moves to this user, with new keys) a
// browser's subscription.
func (s *Store) savePushSubscription(ctx context.Context, userID, endpoint, p256dh, auth string, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth`,
		uuid.Must(uuid.NewV7()).String(), userID, endpoint, p256dh, auth, at)
	return err
}

// deletePushSubscription removes one of the user's subscriptions; it
// reports whether there was one.
func (s *Store) deletePushSubscription(ctx context.Context, userID, endpoint string) (bool, error) {
	n, err := s.exec(ctx, "DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?", userID, endpoint)
	return n > 0, err
}

// dropPushEndpoint forgets an endpoint the push service says is gone.
func (s *Store) dropPushEndpoint(ctx context.Context, endpoint string) error {
	_, err := s.exec(ctx, "DELETE FROM push_subscriptions WHERE endpoint = ?", endpoint)
	return err
}

func (s *Store) pushSubscriptions(ctx context.Context, userID string) ([]pushSubscription, error) {
	var out []pushSubscription
	err := s.idb.NewRaw("SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = ? ORDER BY id", userID).Scan(ctx, &out)
	return out, err
}

// withPush returns which of the users have a push subscription.
func (s *Store) withPush(ctx context.Context, userIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(userIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(userIDs))
	for i, u := range userIDs {
		args[i] = u
	}
	var ids []string
	if err := s.idb.NewRaw("SELECT DISTINCT user_id FROM push_subscriptions WHERE user_id IN ("+placeholders(len(userIDs))+")", args...).Scan(ctx, &ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
