package engagement

import (
	"context"
	"fmt"
	"time"
)

// setLike records or deletes a user's like of an item and moves the count;
// changed is false when it was already so.
func (s *Store) setLike(ctx context.Context, userID, mediaID string, like bool, now time.Time) (changed bool, err error) {
	var n int64
	if like {
		n, err = s.exec(ctx, `INSERT INTO likes (user_id, media_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id, media_id) DO NOTHING`, userID, mediaID, now)
	} else {
		n, err = s.exec(ctx, "DELETE FROM likes WHERE user_id = ? AND media_id = ?", userID, mediaID)
	}
	if err != nil {
		return false, fmt.Errorf("like: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	delta, typ := 1, EventLikeCreated
	if !like {
		delta, typ = -1, EventLikeDeleted
	}
	if err := s.addMediaStats(ctx, mediaID, mediaCounts{Likes: int64(delta)}); err != nil {
		return false, err
	}
	return true, s.record(ctx, typ, "like/"+mediaID, mediaID, likeV1{UserID: userID, MediaID: mediaID, At: now})
}

// mediaCounts are an item's aggregates (or changes to them).
type mediaCounts struct {
	Views         int64 `bun:"views"`
	UniqueViewers int64 `bun:"unique_viewers"`
	Likes         int64 `bun:"likes"`
	Completions   int64 `bun:"completions"`
}

func (s *Store) addMediaStats(ctx context.Context, mediaID string, d mediaCounts) error {
	_, err := s.exec(ctx, `INSERT INTO media_stats (media_id, views, unique_viewers, likes, completions) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (media_id) DO UPDATE SET views = media_stats.views + EXCLUDED.views,
		unique_viewers = media_stats.unique_viewers + EXCLUDED.unique_viewers,
		likes = media_stats.likes + EXCLUDED.likes, completions = media_stats.completions + EXCLUDED.completions`,
		mediaID, d.Views, d.UniqueViewers, d.Likes, d.Completions)
	if err != nil {
		return fmt.Errorf("media stats %s: %w", mediaID, err)
	}
	return nil
}

// mediaStats reads an item's counts (zero when nothing happened yet).
func (s *Store) mediaStats(ctx context.Context, mediaID string) (mediaCounts, error) {
	var out []mediaCounts
	if err := s.idb.NewRaw("SELECT views, unique_viewers, likes, completions FROM media_stats WHERE media_id = ?", mediaID).
		Scan(ctx, &out); err != nil {
		return mediaCounts{}, fmt.Errorf("media stats %s: %w", mediaID, err)
	}
	if len(out) == 0 {
		return mediaCounts{}, nil
	}
	return out[0], nil
}

// liked reports whether the user likes the item.
func (s *Store) liked(ctx context.Context, userID, mediaID string) (bool, error) {
	var n []int
	if err := s.idb.NewRaw("SELECT 1 FROM likes WHERE user_id = ? AND media_id = ?", userID, mediaID).Scan(ctx, &n); err != nil {
		return false, fmt.Errorf("like: %w", err)
	}
	return len(n) > 0, nil
}

// authorCounts are an author's aggregates.
type authorCounts struct {
	Followers int64 `bun:"followers"`
	Views     int64 `bun:"views"`
	Likes     int64 `bun:"likes"`
}

// authorStats sums the counts of the items crediting the author.
func (s *Store) authorStats(ctx context.Context, authorID string) (authorCounts, error) {
	var out []authorCounts
	err := s.idb.NewRaw(`SELECT
		COALESCE((SELECT followers FROM author_stats WHERE author_id = ?), 0) AS followers,
		COALESCE(SUM(st.views), 0) AS views, COALESCE(SUM(st.likes), 0) AS likes
		FROM media_refs r JOIN media_stats st ON st.media_id = r.media_id
		WHERE r.ref_type = 'author' AND r.ref_id = ?`, authorID, authorID).Scan(ctx, &out)
	if err != nil {
		return authorCounts{}, fmt.Errorf("author stats %s: %w", authorID, err)
	}
	if len(out) == 0 {
		return authorCounts{}, nil
	}
	return out[0], nil
}
