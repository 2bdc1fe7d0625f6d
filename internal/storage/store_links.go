package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// downloadLink is a signed link someone made to a media item's file.
type downloadLink struct {
	bun.BaseModel `bun:"table:download_links"`
	ID            string     `bun:"id,pk"`
	MediaID       string     `bun:"media_id"`
	CreatedBy     string     `bun:"created_by"`
	CreatedAt     time.Time  `bun:"created_at"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	RevokedAt     *time.Time `bun:"revoked_at"`
	RevokedBy     string     `bun:"revoked_by"`
}

// linkKeep is how long a link row is kept after it expires (so a late
// download is told the link expired rather than that it never existed).
const linkKeep = 24 * time.Hour

// AddLink records a new link.
func (s *Store) AddLink(ctx context.Context, l downloadLink) error {
	_, err := s.db.NewInsert().Model(&l).Exec(ctx)
	return err
}

// Link returns the link id of media item mediaID, or errs.NotFound.
func (s *Store) Link(ctx context.Context, mediaID, id string) (downloadLink, error) {
	var l downloadLink
	err := s.db.NewSelect().Model(&l).Where("id = ? AND media_id = ?", id, mediaID).Scan(ctx)
	if db.IsNoRows(err) {
		return l, errs.NotFoundf("no download link %s on media item %s", id, mediaID)
	}
	return l, err
}

// Links returns the item's links that have not expired at now, newest first.
func (s *Store) Links(ctx context.Context, mediaID string, now time.Time) ([]downloadLink, error) {
	links := []downloadLink{}
	err := s.db.NewSelect().Model(&links).Where("media_id = ? AND expires_at > ?", mediaID, now).
		Order("created_at DESC", "id DESC").Scan(ctx)
	return links, err
}

// RevokeLink marks a link revoked by userID (a link already revoked keeps
// its first revocation) and returns it.
func (s *Store) RevokeLink(ctx context.Context, mediaID, id, userID string, now time.Time) (downloadLink, error) {
	if _, err := s.db.NewUpdate().Model((*downloadLink)(nil)).Set("revoked_at = ?", now).Set("revoked_by = ?", userID).
		Where("id = ? AND media_id = ? AND revoked_at IS NULL", id, mediaID).Exec(ctx); err != nil {
		return downloadLink{}, err
	}
	return s.Link(ctx, mediaID, id)
}

// DropExpiredLinks deletes the rows of links expired for longer than linkKeep.
func (s *Store) DropExpiredLinks(ctx context.Context, now time.Time) error {
	_, err := s.db.NewDelete().Model((*downloadLink)(nil)).Where("expires_at < ?", now.Add(-linkKeep)).Exec(ctx)
	return err
}
