package catalog

import (
	"context"
	"fmt"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// The selections the sagas (saga.go) walk through, in ID order so that
// concurrent consumers lock rows in one order.

// memberAuthorIDs lists the authors userID is a member of.
func (s *Store) memberAuthorIDs(ctx context.Context, userID string) ([]string, error) {
	var ids []string
	err := s.idb.NewSelect().TableExpr("author_members").Column("author_id").Where("user_id = ?", userID).
		Order("author_id").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("find memberships of %s: %w", userID, err)
	}
	return ids, nil
}

// mediaToRemoveWith lists the media crediting authorID that are not removed.
func (s *Store) mediaToRemoveWith(ctx context.Context, authorID string) ([]string, error) {
	return s.mediaOfAuthor(ctx, authorID,
		"m.status <> '"+domain.MediaRemoved+"' AND m.id IN (SELECT ma.media_id FROM media_authors ma WHERE ma.author_id = ?)")
}

// mediaRemovedWith lists the media removed because authorID was.
func (s *Store) mediaRemovedWith(ctx context.Context, authorID string) ([]string, error) {
	return s.mediaOfAuthor(ctx, authorID, "m.status = '"+domain.MediaRemoved+"' AND m.removed_by = ?")
}

func (s *Store) mediaOfAuthor(ctx context.Context, authorID, where string) ([]string, error) {
	var ids []string
	if err := s.idb.NewSelect().TableExpr("media AS m").Column("m.id").Where(where, authorID).Order("m.id").Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("find media of author %s: %w", authorID, err)
	}
	return ids, nil
}
