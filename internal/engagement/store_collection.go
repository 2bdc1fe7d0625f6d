package engagement

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
)

// Collection is a user's ordered list of media.
type Collection struct {
	bun.BaseModel `bun:"table:collections,alias:c"`
	ID            string    `bun:"id,pk"`
	OwnerID       string    `bun:"owner_id"`
	Kind          string    `bun:"kind"`
	Name          string    `bun:"name"`
	Description   string    `bun:"description"`
	Visibility    string    `bun:"visibility"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	ItemCount     int       `bun:"item_count,scanonly"`
}

// CollectionItem is one item of a collection.
type CollectionItem struct {
	MediaID  string    `bun:"media_id"`
	Position int64     `bun:"position"`
	AddedAt  time.Time `bun:"added_at"`
}

const collectionColumns = "c.*, (SELECT COUNT(*) FROM collection_items i WHERE i.collection_id = c.id) AS item_count"

// collection reads one collection; ok is false when there is none.
func (s *Store) collection(ctx context.Context, id string) (Collection, bool, error) {
	var c Collection
	err := s.idb.NewSelect().Model(&c).ColumnExpr(collectionColumns).Where("c.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("collection %s: %w", id, err)
	}
	return c, true, nil
}

// savedCollection returns the user's saved collection, making it on first
// use (the unique index keeps it one per user under races).
func (s *Store) savedCollection(ctx context.Context, owner string, fresh Collection) (Collection, error) {
	if _, err := s.idb.NewInsert().Model(&fresh).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
		return Collection{}, fmt.Errorf("saved collection: %w", err)
	}
	var c Collection
	if err := s.idb.NewSelect().Model(&c).ColumnExpr(collectionColumns).
		Where("c.owner_id = ? AND c.kind = ?", owner, domain.CollectionSaved).Scan(ctx); err != nil {
		return Collection{}, fmt.Errorf("saved collection: %w", err)
	}
	return c, nil
}

func (s *Store) insertCollection(ctx context.Context, c Collection) error {
	_, err := s.idb.NewInsert().Model(&c).Exec(ctx)
	return err
}

func (s *Store) updateCollection(ctx context.Context, c Collection) error {
	_, err := s.idb.NewUpdate().Model(&c).Column("name", "description", "visibility", "updated_at").WherePK().Exec(ctx)
	return err
}

func (s *Store) deleteCollection(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, "DELETE FROM collection_items WHERE collection_id = ?", id); err != nil {
		return err
	}
	_, err := s.exec(ctx, "DELETE FROM collections WHERE id = ?", id)
	return err
}

// collectionPosition is where a page of collections ends.
type collectionPosition struct {
	CreatedAt time.Time `json:"t"`
	ID        string    `json:"i"`
}

// collections pages through a user's collections (only public ones unless
// all), oldest first.
func (s *Store) collections(ctx context.Context, owner string, all bool, after *collectionPosition, size int) ([]Collection, error) {
	var out []Collection
	q := s.idb.NewSelect().Model(&out).ColumnExpr(collectionColumns).Where("c.owner_id = ?", owner).
		OrderExpr("c.created_at, c.id").Limit(int64(size))
	if !all {
		q = q.Where("c.visibility = ?", domain.Public)
	}
	if after != nil {
		q = q.Where("(c.created_at > ? OR (c.created_at = ? AND c.id > ?))", after.CreatedAt, after.CreatedAt, after.ID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("collections: %w", err)
	}
	return out, nil
}

// lockCollection serialises changes to one collection's items.
func (s *Store) lockCollection(ctx context.Context, id string) error {
	if s.db.Dialect != db.Postgres {
		return nil
	}
	_, err := s.exec(ctx, "SELECT 1 FROM collections WHERE id = ? FOR UPDATE", id)
	return err
}

// items reads a collection's items in order (a page after position).
func (s *Store) items(ctx context.Context, collectionID string, after *int64, size int) ([]CollectionItem, error) {
	var out []CollectionItem
	q := s.idb.NewSelect().Table("collection_items").Column("media_id", "position", "added_at").
		Where("collection_id = ?", collectionID).OrderExpr("position, media_id")
	if size > 0 {
		q = q.Limit(int64(size))
	}
	if after != nil {
		q = q.Where("position > ?", *after)
	}
	if err := q.Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("collection items: %w", err)
	}
	return out, nil
}

// addItem appends an item (or leaves it where it is); added is false when it
// was there already.
func (s *Store) addItem(ctx context.Context, collectionID, mediaID string, now time.Time) (bool, error) {
	n, err := s.exec(ctx, `INSERT INTO collection_items (collection_id, media_id, position, added_at)
		VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM collection_items WHERE collection_id = ?), ?)
		ON CONFLICT (collection_id, media_id) DO NOTHING`, collectionID, mediaID, collectionID, now)
	if err != nil {
		return false, fmt.Errorf("collection item: %w", err)
	}
	return n == 1, nil
}

func (s *Store) removeItem(ctx context.Context, collectionID, mediaID string) error {
	_, err := s.exec(ctx, "DELETE FROM collection_items WHERE collection_id = ? AND media_id = ?", collectionID, mediaID)
	return err
}

// reorder renumbers the items in the given order.
func (s *Store) reorder(ctx context.Context, collectionID string, mediaIDs []string) error {
	for i, id := range mediaIDs {
		if _, err := s.exec(ctx, "UPDATE collection_items SET position = ? WHERE collection_id = ? AND media_id = ?",
			i+1, collectionID, id); err != nil {
			return fmt.Errorf("reorder: %w", err)
		}
	}
	return nil
}

func (s *Store) touchCollection(ctx context.Context, id string, now time.Time) error {
	_, err := s.exec(ctx, "UPDATE collections SET updated_at = ? WHERE id = ?", now, id)
	return err
}

// eraseCollections deletes a user's collections and their items.
func (s *Store) eraseCollections(ctx context.Context, owner string) error {
	if _, err := s.exec(ctx, "DELETE FROM collection_items WHERE collection_id IN (SELECT id FROM collections WHERE owner_id = ?)", owner); err != nil {
		return err
	}
	_, err := s.exec(ctx, "DELETE FROM collections WHERE owner_id = ?", owner)
	return err
}
