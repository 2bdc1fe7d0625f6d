package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type mediaRow struct {
	bun.BaseModel  `bun:"table:media,alias:m"`
	ID             string     `bun:"id,pk"`
	Title          string     `bun:"title"`
	TitleSort      string     `bun:"title_sort"`
	Description    string     `bun:"description"`
	Kind           string     `bun:"kind"`
	Language       string     `bun:"language"`
	License        string     `bun:"license"`
	PublishedAt    *time.Time `bun:"published_at"`
	Status         string     `bun:"status"`
	PreviousStatus string     `bun:"previous_status"`
	RemovedBy      string     `bun:"removed_by"`
	ObjectKey      string     `bun:"object_key"`
	StatusReason   string     `bun:"status_reason"`
	Content        string     `bun:"content"`
	Derivatives    string     `bun:"derivatives"`
	UploadedAt     *time.Time `bun:"uploaded_at"`
	SettledStatus  string     `bun:"settled_status"`
	Progress       *float64   `bun:"processing_progress"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`
	Version        int64      `bun:"version"`
}

// linkRow is one row of media_authors, media_categories or media_tags; Ref
// is the author ID, category ID or tag.
type linkRow struct {
	Source  string `bun:"source"`
	MediaID string `bun:"media_id"`
	Ref     string `bun:"ref"`
	Ord     int    `bun:"ord"`
}

// mediaLinks describes one of the three link tables.
type mediaLinks struct{ table, column string }

var (
	authorLinks   = mediaLinks{"media_authors", "author_id"}
	categoryLinks = mediaLinks{"media_categories", "category_id"}
	tagLinks      = mediaLinks{"media_tags", "tag"}
)

func toMediaRow(m domain.Media) mediaRow {
	r := mediaRow{ID: m.ID, Title: m.Title, TitleSort: strings.ToLower(m.Title), Description: m.Description,
		Kind: m.Kind, Language: m.Language, License: m.License, PublishedAt: m.PublishedAt, Status: m.Status,
		PreviousStatus: m.PreviousStatus, RemovedBy: m.RemovedBy, ObjectKey: m.ObjectKey, StatusReason: m.StatusReason,
		UploadedAt: m.UploadedAt, SettledStatus: m.SettledStatus, Progress: m.ProcessingProgress, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, Version: m.Version}
	if m.Content != nil {
		b, _ := json.Marshal(storedContent(*m.Content))
		r.Content = string(b)
	}
	if len(m.Derivatives) > 0 {
		ds := make([]storedDerivative, len(m.Derivatives))
		for i, d := range m.Derivatives {
			ds[i] = storedDerivative(d)
		}
		b, _ := json.Marshal(ds)
		r.Derivatives = string(b)
	}
	return r
}

// storedContent and storedDerivative are the JSON of the content and
// derivatives columns; their field names are the stored format.
type storedContent struct {
	Size            int64    `json:"size"`
	SHA256          string   `json:"sha256"`
	ContentType     string   `json:"content_type"`
	DurationSeconds *float64 `json:"duration_seconds,omitempty"`
	Bitrate         *int64   `json:"bitrate,omitempty"`
	Width           *int     `json:"width,omitempty"`
	Height          *int     `json:"height,omitempty"`
	Codecs          []string `json:"codecs,omitempty"`
	Pages           *int     `json:"pages,omitempty"`
	URL             string   `json:"url,omitempty"`
	// Stored with the domain types' field names.
	Chapters   []domain.Chapter   `json:"chapters,omitempty"`
	Renditions []domain.Rendition `json:"renditions,omitempty"`
}

type storedDerivative struct {
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

func (r mediaRow) media() domain.Media {
	m := domain.Media{ID: r.ID, Title: r.Title, Description: r.Description, Kind: r.Kind, Language: r.Language,
		License: r.License, Status: r.Status, PreviousStatus: r.PreviousStatus, RemovedBy: r.RemovedBy, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version, AuthorIDs: []string{}, CategoryIDs: []string{}, Tags: []string{}}
	if r.PublishedAt != nil {
		t := r.PublishedAt.UTC()
		m.PublishedAt = &t
	}
	m.ObjectKey, m.StatusReason, m.SettledStatus, m.ProcessingProgress = r.ObjectKey, r.StatusReason, r.SettledStatus, r.Progress
	if r.UploadedAt != nil {
		t := r.UploadedAt.UTC()
		m.UploadedAt = &t
	}
	// Both columns are written only by toMediaRow, from these types.
	if r.Content != "" {
		var c storedContent
		if json.Unmarshal([]byte(r.Content), &c) == nil {
			content := domain.MediaContent(c)
			m.Content = &content
		}
	}
	if r.Derivatives != "" {
		var ds []storedDerivative
		_ = json.Unmarshal([]byte(r.Derivatives), &ds)
		if ds != nil {
			m.Derivatives = make([]domain.Derivative, len(ds))
			for i, d := range ds {
				m.Derivatives[i] = domain.Derivative(d)
			}
		}
	}
	return m
}

// CreateMedia inserts a media item with its credits, categories and tags.
func (s *Store) CreateMedia(ctx context.Context, m domain.Media) error {
	row := toMediaRow(m)
	return s.Tx(ctx, func(tx *Store) error {
		if _, err := tx.idb.NewInsert().Model(&row).Exec(ctx); err != nil {
			return fmt.Errorf("insert media: %w", err)
		}
		if err := tx.insertLinks(ctx, m); err != nil {
			return err
		}
		return tx.record(ctx, mediaCreatedEvents(m)...)
	})
}

func (s *Store) insertLinks(ctx context.Context, m domain.Media) error {
	for _, l := range []struct {
		links mediaLinks
		refs  []string
	}{{authorLinks, m.AuthorIDs}, {categoryLinks, m.CategoryIDs}, {tagLinks, m.Tags}} {
		if len(l.refs) == 0 {
			continue
		}
		values := make([]string, 0, len(l.refs))
		args := make([]any, 0, 3*len(l.refs))
		for i, ref := range l.refs {
			values = append(values, "(?, ?, ?)")
			args = append(args, m.ID, ref, i)
		}
		query := "INSERT INTO " + l.links.table + " (media_id, " + l.links.column + ", ord) VALUES " + strings.Join(values, ", ")
		if _, err := s.idb.ExecContext(ctx, query, args...); err != nil {
			if db.IsForeignKeyViolation(err) {
				return errs.Conflictf("an author or category of media %s was deleted meanwhile; retry", m.ID)
			}
			return fmt.Errorf("insert %s: %w", l.links.table, err)
		}
	}
	return nil
}

// Media loads one media item with its links.
func (s *Store) Media(ctx context.Context, id string) (domain.Media, error) {
	if !domain.ValidID(id) {
		return domain.Media{}, errs.NotFoundf("media %s not found", id)
	}
	var row mediaRow
	if err := s.idb.NewSelect().Model(&row).Where("m.id = ?", id).Scan(ctx); err != nil {
		return domain.Media{}, notFound(err, "media", id)
	}
	list, err := s.withLinks(ctx, []mediaRow{row})
	if err != nil {
		return domain.Media{}, err
	}
	return list[0], nil
}

func (s *Store) withLinks(ctx context.Context, rows []mediaRow) ([]domain.Media, error) {
	out := make([]domain.Media, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	index := map[string]int{}
	for i, r := range rows {
		ids[i], index[r.ID], out[i] = r.ID, i, r.media()
	}
	// One round trip for all three link tables: every media read and every
	// list page goes through here. IDs are cast to text so the UNION has one
	// column type on PostgreSQL (UUID) and SQLite (TEXT) alike.
	var links []linkRow
	parts := make([]string, 0, 3)
	args := make([]any, 0, 3)
	for _, l := range []mediaLinks{authorLinks, categoryLinks, tagLinks} {
		parts = append(parts, "SELECT '"+l.table+"' AS source, media_id, CAST("+l.column+" AS TEXT) AS ref, ord FROM "+
			l.table+" WHERE media_id IN (?)")
		args = append(args, bun.List(ids))
	}
	query := strings.Join(parts, " UNION ALL ") + " ORDER BY source, media_id, ord"
	if err := s.idb.NewRaw(query, args...).Scan(ctx, &links); err != nil {
		return nil, fmt.Errorf("load media links: %w", err)
	}
	for _, link := range links {
		m := &out[index[link.MediaID]]
		switch link.Source {
		case authorLinks.table:
			m.AuthorIDs = append(m.AuthorIDs, link.Ref)
		case categoryLinks.table:
			m.CategoryIDs = append(m.CategoryIDs, link.Ref)
		default:
			m.Tags = append(m.Tags, link.Ref)
		}
	}
	return out, nil
}

// References loads what a media change names: the authors (with members)
// and whether each category exists and is active.
func (s *Store) References(ctx context.Context, authorIDs, categoryIDs []string) (domain.References, error) {
	authors, err := s.Authors(ctx, authorIDs)
	if err != nil {
		return domain.References{}, err
	}
	refs := domain.References{Authors: authors, Categories: map[string]bool{}}
	if ids := validIDs(categoryIDs); len(ids) > 0 {
		var rows []categoryRow
		if err := s.idb.NewSelect().Model(&rows).Where("c.id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
			return refs, fmt.Errorf("load categories: %w", err)
		}
		for _, r := range rows {
			refs.Categories[r.ID] = r.Status == domain.StatusActive
		}
	}
	return refs, nil
}

// SaveMedia writes a changed media item read at version prev, links included.
// It records no event: UpdateMedia is the write path of use cases.
func (s *Store) SaveMedia(ctx context.Context, m domain.Media, prev int64) error {
	row := toMediaRow(m)
	return s.Tx(ctx, func(tx *Store) error {
		res, err := tx.idb.NewUpdate().Model(&row).WherePK().Where("version = ?", prev).Exec(ctx)
		if err != nil {
			return fmt.Errorf("update media: %w", err)
		}
		if err := stale(res, "media", m.ID); err != nil {
			return err
		}
		for _, l := range []mediaLinks{authorLinks, categoryLinks, tagLinks} {
			if _, err := tx.idb.NewDelete().TableExpr(l.table).Where("media_id = ?", m.ID).Exec(ctx); err != nil {
				return fmt.Errorf("replace %s: %w", l.table, err)
			}
		}
		return tx.insertLinks(ctx, m)
	})
}

// UpdateMedia loads a media item and the references its change names, lets
// change apply a domain rule, and saves the item if it changed, with the
// event of the change, atomically. extra lists the author and category IDs
// the change will name.
func (s *Store) UpdateMedia(ctx context.Context, id string, extraAuthors, extraCategories []string,
	change func(m *domain.Media, refs domain.References) error) (domain.Media, error) {
	var m domain.Media
	err := s.txRetrying(ctx, func(tx *Store) error {
		if err := tx.lockRow(ctx, "media", id); err != nil {
			return err
		}
		before, err := tx.Media(ctx, id)
		if err != nil {
			return err
		}
		refs, err := tx.References(ctx, append(append([]string{}, before.AuthorIDs...), extraAuthors...), extraCategories)
		if err != nil {
			return err
		}
		m = before
		m.AuthorIDs, m.CategoryIDs, m.Tags = slices.Clone(before.AuthorIDs), slices.Clone(before.CategoryIDs), slices.Clone(before.Tags)
		if err := change(&m, refs); err != nil {
			return err
		}
		if m.Version == before.Version {
			return nil
		}
		if err := tx.SaveMedia(ctx, m, before.Version); err != nil {
			return err
		}
		return tx.record(ctx, mediaEvents(before, m)...)
	})
	return m, err
}

// PurgeMedia deletes a media item for good.
func (s *Store) PurgeMedia(ctx context.Context, id string) error {
	return s.Tx(ctx, func(tx *Store) error {
		m, err := tx.Media(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.idb.NewDelete().TableExpr("media").Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete media: %w", err)
		}
		return tx.record(ctx, mediaEvent(EventMediaDeleted, m))
	})
}
