package catalog

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// MediaQuery selects a page of media.
type MediaQuery struct {
	Actor      domain.Actor
	Kind       string
	AuthorID   string
	CategoryID string
	Language   string
	Tag        string
	// Status "" lists every status but removed.
	Status string
	Order  sortSpec
	After  *position
	Size   int
}

// mediaOrders are the orders GET /v1/media offers.
var mediaOrders = map[string]sortSpec{
	"newest": {name: "newest", desc: true},
	"oldest": {name: "oldest"},
	"title":  {name: "title", column: "title_sort"},
}

// Visibility in SQL, the same rule as domain.Media.VisibleTo: published items
// whose authors are all active, or any item of an author the caller belongs to.
const (
	publicMedia = `(m.status = 'published' AND NOT EXISTS (
		SELECT 1 FROM media_authors va JOIN authors a ON a.id = va.author_id
		WHERE va.media_id = m.id AND a.status <> 'active'))`
	memberMedia = `EXISTS (
		SELECT 1 FROM media_authors vm JOIN author_members am ON am.author_id = vm.author_id
		WHERE vm.media_id = m.id AND am.user_id = ?)`
)

// ListMedia returns a page of the media the actor may see. Every filter is a
// plain column test or an EXISTS probe on an indexed link table, so the
// keyset walk along (status, id) or (title_sort, id) costs the same on every page.
func (s *Store) ListMedia(ctx context.Context, q MediaQuery) ([]domain.Media, string, error) {
	var rows []mediaRow
	sel := s.idb.NewSelect().Model(&rows)
	if q.Status != "" {
		sel = sel.Where("m.status = ?", q.Status)
	} else {
		sel = sel.Where("m.status <> ?", domain.MediaRemoved)
	}
	if !q.Actor.Moderator {
		sel = sel.WhereGroup(" AND ", func(w *bun.SelectQuery) *bun.SelectQuery {
			w = w.Where(publicMedia)
			if q.Actor.SignedIn() {
				w = w.WhereOr(memberMedia, q.Actor.UserID)
			}
			return w
		})
	}
	if q.Kind != "" {
		sel = sel.Where("m.kind = ?", q.Kind)
	}
	if q.Language != "" {
		sel = sel.Where("m.language = ?", q.Language)
	}
	if q.AuthorID != "" {
		sel = sel.Where("EXISTS (SELECT 1 FROM media_authors fa WHERE fa.author_id = ? AND fa.media_id = m.id)", q.AuthorID)
	}
	if q.CategoryID != "" {
		sel = sel.Where("EXISTS (SELECT 1 FROM media_categories fc WHERE fc.category_id = ? AND fc.media_id = m.id)", q.CategoryID)
	}
	if q.Tag != "" {
		sel = sel.Where("EXISTS (SELECT 1 FROM media_tags ft WHERE ft.tag = ? AND ft.media_id = m.id)", q.Tag)
	}
	if err := page(sel, "m", q.Order, q.After, q.Size).Scan(ctx); err != nil {
		return nil, "", fmt.Errorf("list media: %w", err)
	}
	next, n := nextToken(q.Order, len(rows), q.Size, func(i int) (string, string) { return rows[i].TitleSort, rows[i].ID })
	list, err := s.withLinks(ctx, rows[:n])
	return list, next, err
}
