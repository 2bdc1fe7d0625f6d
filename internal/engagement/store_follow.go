package engagement

import (
	"context"
	"fmt"
	"time"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
)

// Follow is one thing a user follows.
type Follow struct {
	UserID     string    `bun:"user_id"`
	TargetType string    `bun:"target_type"`
	TargetID   string    `bun:"target_id"`
	CreatedAt  time.Time `bun:"created_at"`
}

// addFollow records a follow; created is false when it existed already.
func (s *Store) addFollow(ctx context.Context, f Follow) (created bool, err error) {
	n, err := s.exec(ctx, `INSERT INTO follows (user_id, target_type, target_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, target_type, target_id) DO NOTHING`, f.UserID, f.TargetType, f.TargetID, f.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("follow: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	if f.TargetType == domain.TargetAuthor {
		if err := s.addFollowers(ctx, f.TargetID, 1); err != nil {
			return false, err
		}
	}
	return true, s.record(ctx, EventFollowCreated, "follow/"+f.UserID, f.UserID, followPayload(f))
}

// removeFollow deletes a follow; removed is false when there was none.
func (s *Store) removeFollow(ctx context.Context, f Follow) (removed bool, err error) {
	n, err := s.exec(ctx, "DELETE FROM follows WHERE user_id = ? AND target_type = ? AND target_id = ?",
		f.UserID, f.TargetType, f.TargetID)
	if err != nil {
		return false, fmt.Errorf("unfollow: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	if f.TargetType == domain.TargetAuthor {
		if err := s.addFollowers(ctx, f.TargetID, -1); err != nil {
			return false, err
		}
	}
	return true, s.record(ctx, EventFollowDeleted, "follow/"+f.UserID, f.UserID, followPayload(f))
}

func (s *Store) addFollowers(ctx context.Context, authorID string, delta int) error {
	_, err := s.exec(ctx, `INSERT INTO author_stats (author_id, followers) VALUES (?, ?)
		ON CONFLICT (author_id) DO UPDATE SET followers = author_stats.followers + EXCLUDED.followers`, authorID, delta)
	return err
}

// followPosition is where a page of follows ends.
type followPosition struct {
	Type string `json:"t"`
	ID   string `json:"i"`
}

// follows pages through a user's follows (of one type when typ is set).
func (s *Store) follows(ctx context.Context, userID, typ string, after *followPosition, size int) ([]Follow, error) {
	q := s.idb.NewSelect().Table("follows").Column("user_id", "target_type", "target_id", "created_at").
		Where("user_id = ?", userID).OrderExpr("target_type, target_id").Limit(int64(size))
	if typ != "" {
		q = q.Where("target_type = ?", typ)
	}
	if after != nil {
		q = q.Where("(target_type > ? OR (target_type = ? AND target_id > ?))", after.Type, after.Type, after.ID)
	}
	var out []Follow
	if err := q.Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("follows: %w", err)
	}
	return out, nil
}
