package analytics

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// stageStream keeps an event for the external stream.
func (s *Store) stageStream(ctx context.Context, eventID, key string, body []byte) error {
	_, err := s.exec(ctx, `INSERT INTO analytics_stream_pending (event_id, part_key, body) VALUES (?, ?, ?)
		ON CONFLICT (event_id) DO NOTHING`, eventID, key, string(body))
	if err != nil {
		return fmt.Errorf("stream stage: %w", err)
	}
	return nil
}

type streamRow struct {
	Seq     int64  `bun:"seq"`
	EventID string `bun:"event_id"`
	Key     string `bun:"part_key"`
	Body    string `bun:"body"`
}

func (s *Store) streamPending(ctx context.Context, limit int) ([]streamRow, error) {
	var out []streamRow
	if err := s.idb.NewRaw("SELECT seq, event_id, part_key, body FROM analytics_stream_pending ORDER BY seq LIMIT ?", limit).
		Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("stream pending: %w", err)
	}
	return out, nil
}

func (s *Store) streamSent(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	if _, err := s.exec(ctx, "DELETE FROM analytics_stream_pending WHERE seq IN (?)", bun.List(seqs)); err != nil {
		return fmt.Errorf("stream sent: %w", err)
	}
	return nil
}
