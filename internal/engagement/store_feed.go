package engagement

import (
	"context"
	"fmt"
	"time"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
)

// feedPosition is where a page of the feed ends.
type feedPosition struct {
	PublishedAt time.Time `json:"p"`
	ID          string    `json:"i"`
}

// FeedItem is one item of a user's home feed.
type FeedItem struct {
	Media     domain.Media
	AuthorIDs []string
}

// feed reads the published items matching what the user follows, newest
// first (fan-out on read: the follows are joined when the feed is read, so
// publishing costs the same whatever the author's following).
func (s *Store) feed(ctx context.Context, userID string, after *feedPosition, size int) ([]FeedItem, error) {
	var rows []mediaRow
	q := s.idb.NewSelect().Model(&rows).
		Where("status = ? AND published_at IS NOT NULL", domain.MediaPublished).
		Where(`EXISTS (SELECT 1 FROM media_refs r JOIN follows f ON f.target_type = r.ref_type AND f.target_id = r.ref_id
			WHERE r.media_id = m.id AND f.user_id = ?)`, userID).
		OrderExpr("published_at DESC, id DESC").Limit(int64(size))
	if after != nil {
		q = q.Where("(published_at < ? OR (published_at = ? AND id < ?))", after.PublishedAt, after.PublishedAt, after.ID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]any, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var refs []struct {
		MediaID string `bun:"media_id"`
		RefID   string `bun:"ref_id"`
	}
	if err := s.idb.NewRaw("SELECT media_id, ref_id FROM media_refs WHERE ref_type = 'author' AND media_id IN ("+
		placeholders(len(ids))+")", ids...).Scan(ctx, &refs); err != nil {
		return nil, fmt.Errorf("feed authors: %w", err)
	}
	authors := map[string][]string{}
	for _, r := range refs {
		authors[r.MediaID] = append(authors[r.MediaID], r.RefID)
	}
	out := make([]FeedItem, len(rows))
	for i, r := range rows {
		out[i] = FeedItem{Media: r.domain(), AuthorIDs: authors[r.ID]}
	}
	return out, nil
}
