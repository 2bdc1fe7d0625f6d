package feeds

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
)

type documentRow struct {
	bun.BaseModel `bun:"table:feeds_documents"`
	MediaID       string    `bun:"media_id,pk"`
	SHA256        string    `bun:"sha256"`
	PartialMD5    string    `bun:"partial_md5"`
	ComputedAt    time.Time `bun:"computed_at"`
}

type koreaderLink struct {
	bun.BaseModel `bun:"table:feeds_koreader_links"`
	Username      string    `bun:"username,pk"`
	UserKey       string    `bun:"userkey,pk"`
	UserID        string    `bun:"user_id"`
	Token         string    `bun:"token"`
	CreatedAt     time.Time `bun:"created_at"`
}

// readingFile is a listed book or document's current file.
type readingFile struct {
	MediaID string `bun:"media_id"`
	SHA256  string `bun:"sha256"`
	Size    int64  `bun:"size"`
}

// unhashedBatch is how many files one pass of the fingerprinting takes.
const unhashedBatch = 500

// UnhashedFiles lists listed books and documents whose current file has no
// partial MD5 yet.
func (s *Store) UnhashedFiles(ctx context.Context) ([]readingFile, error) {
	var out []readingFile
	err := s.idb().NewSelect().TableExpr("feeds_media AS m").
		ColumnExpr("m.id AS media_id, m.file_sha256 AS sha256, m.file_size AS size").
		Join("LEFT JOIN feeds_documents AS d ON d.media_id = m.id").
		Where("m.status = ? AND m.kind IN (?) AND m.file_sha256 <> ''", domain.StatusPublished, bun.List(readingKinds)).
		Where("(d.sha256 IS NULL OR d.sha256 <> m.file_sha256)").
		OrderExpr("m.sort_key DESC").Limit(unhashedBatch).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("feeds store: %w", err)
	}
	return out, nil
}

// PutDocumentHash records the partial MD5 of an item's file.
func (s *Store) PutDocumentHash(ctx context.Context, f readingFile, partialMD5 string, at time.Time) error {
	row := &documentRow{MediaID: f.MediaID, SHA256: f.SHA256, PartialMD5: partialMD5, ComputedAt: at}
	_, err := s.idb().NewInsert().Model(row).On("CONFLICT (media_id) DO UPDATE").
		Set("sha256 = EXCLUDED.sha256, partial_md5 = EXCLUDED.partial_md5, computed_at = EXCLUDED.computed_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("feeds store: %w", err)
	}
	return nil
}

// MediaByDocument returns the listed item whose file has the partial MD5.
func (s *Store) MediaByDocument(ctx context.Context, partialMD5 string) (domain.Media, bool, error) {
	var ids []string
	err := s.idb().NewSelect().Table("feeds_documents").Column("media_id").Where("partial_md5 = ?", partialMD5).
		OrderExpr("computed_at DESC").Limit(1).Scan(ctx, &ids)
	if err != nil || len(ids) == 0 {
		return domain.Media{}, false, err
	}
	return s.Media(ctx, ids[0])
}

// PutKOReaderLink records (or replaces) a linked device account.
func (s *Store) PutKOReaderLink(ctx context.Context, l koreaderLink) error {
	_, err := s.idb().NewInsert().Model(&l).On("CONFLICT (username, userkey) DO UPDATE").
		Set("user_id = EXCLUDED.user_id, token = EXCLUDED.token, created_at = EXCLUDED.created_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("feeds store: %w", err)
	}
	return nil
}

// KOReaderLink finds a linked device account.
func (s *Store) KOReaderLink(ctx context.Context, username, userkey string) (koreaderLink, bool, error) {
	var out []koreaderLink
	err := s.idb().NewSelect().Model(&out).Where("username = ? AND userkey = ?", username, userkey).Scan(ctx)
	if err != nil || len(out) == 0 {
		return koreaderLink{}, false, err
	}
	return out[0], true, nil
}
