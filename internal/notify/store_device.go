package notify

import (
	"context"
	"time"

	"github.com/google/uuid"
)

type device struct {
	ID          string    `bun:"id"`
	UserID      string    `bun:"user_id"`
	Platform    string    `bun:"platform"`
	Token       string    `bun:"token"`
	EndpointARN string    `bun:"endpoint_arn"`
	CreatedAt   time.Time `bun:"created_at"`
}

// saveDevice stores a device token (moved to this user if another had it).
func (s *Store) saveDevice(ctx context.Context, userID, platform, token, arn string, at time.Time) (device, error) {
	if _, err := s.exec(ctx, `INSERT INTO devices (id, user_id, platform, token, endpoint_arn, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id, platform = excluded.platform, endpoint_arn = excluded.endpoint_arn`,
		uuid.Must(uuid.NewV7()).String(), userID, platform, token, arn, at); err != nil {
		return device{}, err
	}
	var out []device
	err := s.idb.NewRaw("SELECT id, user_id, platform, token, endpoint_arn, created_at FROM devices WHERE token = ?", token).Scan(ctx, &out)
	if err != nil || len(out) == 0 {
		return device{}, err
	}
	return out[0], nil
}

func (s *Store) devices(ctx context.Context, userID string) ([]device, error) {
	var out []device
	err := s.idb.NewRaw("SELECT id, user_id, platform, token, endpoint_arn, created_at FROM devices WHERE user_id = ? ORDER BY id", userID).Scan(ctx, &out)
	return out, err
}

func (s *Store) deleteDevice(ctx context.Context, userID, id string) (bool, error) {
	n, err := s.exec(ctx, "DELETE FROM devices WHERE id = ? AND user_id = ?", id, userID)
	return n > 0, err
}

func (s *Store) dropDevice(ctx context.Context, id string) error {
	_, err := s.exec(ctx, "DELETE FROM devices WHERE id = ?", id)
	return err
}

// withDevices returns which of the users have a device.
func (s *Store) withDevices(ctx context.Context, userIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(userIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(userIDs))
	for i, u := range userIDs {
		args[i] = u
	}
	var ids []string
	if err := s.idb.NewRaw("SELECT DISTINCT user_id FROM devices WHERE user_id IN ("+placeholders(len(userIDs))+")", args...).Scan(ctx, &ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
