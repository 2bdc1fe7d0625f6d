package feeds

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// Store is the feeds' repository: the only SQL of the target, one code path
// for SQLite and PostgreSQL.
type Store struct {
	db *db.DB
	tx bun.IDB // the consumer's transaction, when bound
}

func newStore(d *db.DB) *Store { return &Store{db: d} }

// bound binds the repository to a consumer's transaction (events.Bind).
func (s *Store) bound(tx bun.IDB) *Store {
	b := *s
	b.tx = tx
	return &b
}

func (s *Store) idb() bun.IDB {
	if s.tx != nil {
		return s.tx
	}
	return s.db.DB
}

// Ping checks the store answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

type mediaRow struct {
	bun.BaseModel `bun:"table:feeds_media"`
	ID            string    `bun:"id,pk"`
	Kind          string    `bun:"kind"`
	Status        string    `bun:"status"`
	TitleFold     string    `bun:"title_fold"`
	Language      string    `bun:"language"`
	SortKey       string    `bun:"sort_key"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
	Doc           string    `bun:"doc"`
	FileSHA256    string    `bun:"file_sha256"`
	FileSize      int64     `bun:"file_size"`
}

type authorRow struct {
	bun.BaseModel `bun:"table:feeds_authors"`
	ID            string    `bun:"id,pk"`
	Status        string    `bun:"status"`
	NameFold      string    `bun:"name_fold"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
	Doc           string    `bun:"doc"`
}

type categoryRow struct {
	bun.BaseModel `bun:"table:feeds_categories"`
	ID            string    `bun:"id,pk"`
	Slug          string    `bun:"slug"`
	Status        string    `bun:"status"`
	NameFold      string    `bun:"name_fold"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
	Doc           string    `bun:"doc"`
}

// version is the stored version of a row of table, 0 when there is none.
func (s *Store) version(ctx context.Context, table, id string) (int64, bool, error) {
	var v []int64
	err := s.idb().NewSelect().Table(table).Column("version").Where("id = ?", id).Scan(ctx, &v)
	if err != nil {
		return 0, false, fmt.Errorf("feeds store: %w", err)
	}
	if len(v) == 0 {
		return 0, false, nil
	}
	return v[0], true, nil
}

// save writes row (a pointer to a row type) as the new state of id.
func (s *Store) save(ctx context.Context, exists bool, row any) error {
	var err error
	if exists {
		_, err = s.idb().NewUpdate().Model(row).WherePK().Exec(ctx)
	} else {
		_, err = s.idb().NewInsert().Model(row).Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("feeds store: %w", err)
	}
	return nil
}

// PutMedia stores m if it is newer than the stored copy (or force, for a
// deletion's tombstone) and reports whether it did.
func (s *Store) PutMedia(ctx context.Context, m domain.Media, force bool) (bool, error) {
	have, exists, err := s.version(ctx, "feeds_media", m.ID)
	if err != nil || (exists && have >= m.Version && !force) {
		return false, err
	}
	doc, err := json.Marshal(m)
	if err != nil {
		return false, err
	}
	row := &mediaRow{ID: m.ID, Kind: m.Kind, Status: m.Status, TitleFold: domain.Fold(m.Title), Language: m.Language,
		SortKey: m.SortKey(), UpdatedAt: m.UpdatedAt.UTC(), Version: max(m.Version, have), Doc: string(doc)}
	if m.Content != nil {
		row.FileSHA256, row.FileSize = m.Content.SHA256, m.Content.Size
	}
	if !m.Listed() && m.Status != domain.StatusDeleted {
		// Kept for its version only; feeds select listed rows by status.
		row.Status = "unlisted"
	}
	if err := s.save(ctx, exists, row); err != nil {
		return false, err
	}
	for _, t := range []string{"feeds_media_authors", "feeds_media_categories", "feeds_media_tags"} {
		if _, err := s.idb().NewDelete().Table(t).Where("media_id = ?", m.ID).Exec(ctx); err != nil {
			return false, fmt.Errorf("feeds store: %w", err)
		}
	}
	if row.Status != domain.StatusPublished {
		return true, nil
	}
	type link struct {
		table, column string
		values        []string
	}
	for _, l := range []link{{"feeds_media_authors", "author_id", m.AuthorIDs}, {"feeds_media_categories", "category_id", m.CategoryIDs},
		{"feeds_media_tags", "tag", m.Tags}} {
		seen := map[string]bool{}
		for _, v := range l.values {
			if seen[v] {
				continue
			}
			seen[v] = true
			_, err := s.idb().NewRaw("INSERT INTO "+l.table+" ("+l.column+", media_id) VALUES (?, ?)", v, m.ID).Exec(ctx)
			if err != nil {
				return false, fmt.Errorf("feeds store: %w", err)
			}
		}
	}
	return true, nil
}

// PutAuthor stores a if newer (or force) and reports whether it did.
func (s *Store) PutAuthor(ctx context.Context, a domain.Author, force bool) (bool, error) {
	have, exists, err := s.version(ctx, "feeds_authors", a.ID)
	if err != nil || (exists && have >= a.Version && !force) {
		return false, err
	}
	doc, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	row := &authorRow{ID: a.ID, Status: a.Status, NameFold: domain.Fold(a.Name), UpdatedAt: a.UpdatedAt.UTC(),
		Version: max(a.Version, have), Doc: string(doc)}
	return true, s.save(ctx, exists, row)
}

// PutCategory stores c if newer (or force) and reports whether it did.
func (s *Store) PutCategory(ctx context.Context, c domain.Category, force bool) (bool, error) {
	have, exists, err := s.version(ctx, "feeds_categories", c.ID)
	if err != nil || (exists && have >= c.Version && !force) {
		return false, err
	}
	doc, err := json.Marshal(c)
	if err != nil {
		return false, err
	}
	row := &categoryRow{ID: c.ID, Slug: c.Slug, Status: c.Status, NameFold: domain.Fold(c.Name), UpdatedAt: c.UpdatedAt.UTC(),
		Version: max(c.Version, have), Doc: string(doc)}
	return true, s.save(ctx, exists, row)
}

// mediaQuery selects listed media, newest first.
type mediaQuery struct {
	AuthorID   string
	CategoryID string
	Tag        string
	Kinds      []string
	Language   string
	// TitleContains matches titles case-insensitively.
	TitleContains string
	// After is the sort key of the last item of the previous page.
	After string
	Limit int
}

// ListMedia returns the listed media q selects.
func (s *Store) ListMedia(ctx context.Context, q mediaQuery) ([]domain.Media, error) {
	var docs []string
	sel := s.idb().NewSelect().TableExpr("feeds_media AS m").ColumnExpr("m.doc").
		Where("m.status = ?", domain.StatusPublished)
	if q.AuthorID != "" {
		sel = sel.Where("m.id IN (SELECT media_id FROM feeds_media_authors WHERE author_id = ?)", q.AuthorID)
	}
	if q.CategoryID != "" {
		sel = sel.Where("m.id IN (SELECT media_id FROM feeds_media_categories WHERE category_id = ?)", q.CategoryID)
	}
	if q.Tag != "" {
		sel = sel.Where("m.id IN (SELECT media_id FROM feeds_media_tags WHERE tag = ?)", q.Tag)
	}
	if len(q.Kinds) > 0 {
		sel = sel.Where("m.kind IN (?)", bun.List(q.Kinds))
	}
	if q.Language != "" {
		sel = sel.Where("m.language = ?", q.Language)
	}
	if q.TitleContains != "" {
		sel = sel.Where("m.title_fold LIKE ? ESCAPE '!'", httpx.ContainsPattern(domain.Fold(q.TitleContains)))
	}
	if q.After != "" {
		sel = sel.Where("m.sort_key < ?", q.After)
	}
	if err := sel.OrderExpr("m.sort_key DESC").Limit(int64(q.Limit)).Scan(ctx, &docs); err != nil {
		return nil, fmt.Errorf("feeds store: %w", err)
	}
	out := make([]domain.Media, 0, len(docs))
	for _, d := range docs {
		var m domain.Media
		if err := json.Unmarshal([]byte(d), &m); err != nil {
			return nil, fmt.Errorf("feeds store: media doc: %w", err)
		}
		out = append(out, m)
	}
	return out, nil
}

// Media returns one listed item.
func (s *Store) Media(ctx context.Context, id string) (domain.Media, bool, error) {
	var docs []string
	err := s.idb().NewSelect().Table("feeds_media").Column("doc").Where("id = ? AND status = ?", id, domain.StatusPublished).
		Scan(ctx, &docs)
	if err != nil || len(docs) == 0 {
		return domain.Media{}, false, err
	}
	var m domain.Media
	return m, true, json.Unmarshal([]byte(docs[0]), &m)
}

// Languages lists the languages of listed media of kinds.
func (s *Store) Languages(ctx context.Context, kinds []string) ([]string, error) {
	var out []string
	err := s.idb().NewSelect().Table("feeds_media").ColumnExpr("DISTINCT language").
		Where("status = ? AND kind IN (?) AND language <> ''", domain.StatusPublished, bun.List(kinds)).
		OrderExpr("language").Scan(ctx, &out)
	return out, err
}

// Authors returns the authors with the IDs (any status).
func (s *Store) Authors(ctx context.Context, ids []string) (map[string]domain.Author, error) {
	out := map[string]domain.Author{}
	if len(ids) == 0 {
		return out, nil
	}
	var docs []string
	if err := s.idb().NewSelect().Table("feeds_authors").Column("doc").Where("id IN (?)", bun.List(ids)).Scan(ctx, &docs); err != nil {
		return nil, fmt.Errorf("feeds store: %w", err)
	}
	for _, d := range docs {
		var a domain.Author
		if err := json.Unmarshal([]byte(d), &a); err != nil {
			return nil, err
		}
		out[a.ID] = a
	}
	return out, nil
}

// ListAuthors lists active authors that have listed media of kinds, by name.
func (s *Store) ListAuthors(ctx context.Context, kinds []string, limit int) ([]domain.Author, error) {
	var docs []string
	err := s.idb().NewSelect().Table("feeds_authors").Column("doc").
		Where("status = ?", domain.StatusActive).
		Where("id IN (SELECT a.author_id FROM feeds_media_authors a JOIN feeds_media m ON m.id = a.media_id WHERE m.status = ? AND m.kind IN (?))",
			domain.StatusPublished, bun.List(kinds)).
		OrderExpr("name_fold, id").Limit(int64(limit)).Scan(ctx, &docs)
	if err != nil {
		return nil, fmt.Errorf("feeds store: %w", err)
	}
	out := make([]domain.Author, 0, len(docs))
	for _, d := range docs {
		var a domain.Author
		if err := json.Unmarshal([]byte(d), &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Categories returns every active category, by name.
func (s *Store) Categories(ctx context.Context) ([]domain.Category, error) {
	var docs []string
	err := s.idb().NewSelect().Table("feeds_categories").Column("doc").Where("status = ?", domain.StatusActive).
		OrderExpr("name_fold, id").Scan(ctx, &docs)
	if err != nil {
		return nil, fmt.Errorf("feeds store: %w", err)
	}
	out := make([]domain.Category, 0, len(docs))
	for _, d := range docs {
		var c domain.Category
		if err := json.Unmarshal([]byte(d), &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Category returns the category with the ID or slug (any status).
func (s *Store) Category(ctx context.Context, idOrSlug string, byID bool) (domain.Category, bool, error) {
	var docs []string
	col := "slug"
	if byID {
		col = "id"
	}
	err := s.idb().NewSelect().Table("feeds_categories").Column("doc").Where("? = ?", bun.Ident(col), idOrSlug).
		OrderExpr("updated_at DESC").Limit(1).Scan(ctx, &docs)
	if err != nil || len(docs) == 0 {
		return domain.Category{}, false, err
	}
	var c domain.Category
	return c, true, json.Unmarshal([]byte(docs[0]), &c)
}

// MediaByIDs returns the listed items among ids, in the order of ids.
func (s *Store) MediaByIDs(ctx context.Context, ids []string) ([]domain.Media, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var docs []string
	err := s.idb().NewSelect().Table("feeds_media").Column("doc").
		Where("id IN (?) AND status = ?", bun.List(ids), domain.StatusPublished).Scan(ctx, &docs)
	if err != nil {
		return nil, fmt.Errorf("feeds store: %w", err)
	}
	byID := map[string]domain.Media{}
	for _, d := range docs {
		var m domain.Media
		if err := json.Unmarshal([]byte(d), &m); err != nil {
			return nil, err
		}
		byID[m.ID] = m
	}
	out := make([]domain.Media, 0, len(byID))
	for _, id := range ids {
		if m, ok := byID[id]; ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// SortKeys lists the sort keys of every listed item, newest first: the
// sitemap splits them into pages without OFFSET.
func (s *Store) SortKeys(ctx context.Context) ([]string, error) {
	var keys []string
	err := s.idb().NewSelect().Table("feeds_media").Column("sort_key").Where("status = ?", domain.StatusPublished).
		OrderExpr("sort_key DESC").Scan(ctx, &keys)
	if err != nil {
		return nil, fmt.Errorf("feeds store: %w", err)
	}
	return keys, nil
}

// sitemapEntry is one media page for the sitemap.
type sitemapEntry struct {
	ID        string    `bun:"id"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// SitemapPage lists up to limit listed items from the sort key from
// (inclusive), newest first.
func (s *Store) SitemapPage(ctx context.Context, from string, limit int) ([]sitemapEntry, error) {
	var out []sitemapEntry
	sel := s.idb().NewSelect().Table("feeds_media").Column("id", "updated_at").Where("status = ?", domain.StatusPublished)
	if from != "" {
		sel = sel.Where("sort_key <= ?", from)
	}
	if err := sel.OrderExpr("sort_key DESC").Limit(int64(limit)).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("feeds store: %w", err)
	}
	return out, nil
}

// ActiveAuthors lists every active author's ID and last change.
func (s *Store) ActiveAuthors(ctx context.Context) ([]sitemapEntry, error) {
	var out []sitemapEntry
	err := s.idb().NewSelect().Table("feeds_authors").Column("id", "updated_at").Where("status = ?", domain.StatusActive).
		OrderExpr("id").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("feeds store: %w", err)
	}
	return out, nil
}
