package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type categoryRow struct {
	bun.BaseModel `bun:"table:categories,alias:c"`
	ID            string    `bun:"id,pk"`
	Name          string    `bun:"name"`
	NameSort      string    `bun:"name_sort"`
	Slug          string    `bun:"slug"`
	Description   string    `bun:"description"`
	ParentID      *string   `bun:"parent_id"`
	Status        string    `bun:"status"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
}

func toCategoryRow(c domain.Category) categoryRow {
	return categoryRow{ID: c.ID, Name: c.Name, NameSort: strings.ToLower(c.Name), Slug: c.Slug,
		Description: c.Description, ParentID: c.ParentID, Status: c.Status, CreatedAt: c.CreatedAt,
		UpdatedAt: c.UpdatedAt, Version: c.Version}
}

func (r categoryRow) category() domain.Category {
	return domain.Category{ID: r.ID, Name: r.Name, Slug: r.Slug, Description: r.Description, ParentID: r.ParentID,
		Status: r.Status, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

func slugTaken(err error, slug string) error {
	if db.IsUniqueViolation(err) {
		return errs.Conflictf("the slug %q is taken", slug)
	}
	return err
}

// CreateCategory inserts a category; a taken slug is a Conflict.
func (s *Store) CreateCategory(ctx context.Context, c domain.Category) error {
	row := toCategoryRow(c)
	return s.Tx(ctx, func(tx *Store) error {
		if _, err := tx.idb.NewInsert().Model(&row).Exec(ctx); err != nil {
			return slugTaken(err, c.Slug)
		}
		return tx.record(ctx, categoryEvent(EventCategoryCreated, c))
	})
}

// Category loads one category.
func (s *Store) Category(ctx context.Context, id string) (domain.Category, error) {
	if !domain.ValidID(id) {
		return domain.Category{}, errs.NotFoundf("category %s not found", id)
	}
	var row categoryRow
	if err := s.idb.NewSelect().Model(&row).Where("c.id = ?", id).Scan(ctx); err != nil {
		return domain.Category{}, notFound(err, "category", id)
	}
	return row.category(), nil
}

// UpdateCategory loads a category, lets change apply a domain rule to it
// (change may read through tx), and saves it when the rule changed it, with
// the event of the change, in one transaction that holds the tree lock.
func (s *Store) UpdateCategory(ctx context.Context, id string, change func(tx *Store, c *domain.Category) error) (domain.Category, error) {
	var c domain.Category
	err := s.txRetrying(ctx, func(tx *Store) error {
		// Every change of a category may depend on the tree (a move, a
		// removal with children, a restore under a parent).
		if err := tx.lockTree(ctx); err != nil {
			return err
		}
		before, err := tx.Category(ctx, id)
		if err != nil {
			return err
		}
		c = before
		if err := change(tx, &c); err != nil {
			return err
		}
		if c.Version == before.Version {
			return nil
		}
		if err := tx.SaveCategory(ctx, c, before.Version); err != nil {
			return err
		}
		return tx.record(ctx, categoryEvents(before, c)...)
	})
	return c, err
}

// SaveCategory writes a changed category read at version prev. It records
// no event: UpdateCategory is the write path of use cases.
func (s *Store) SaveCategory(ctx context.Context, c domain.Category, prev int64) error {
	row := toCategoryRow(c)
	res, err := s.idb.NewUpdate().Model(&row).WherePK().Where("version = ?", prev).Exec(ctx)
	if err != nil {
		return slugTaken(err, c.Slug)
	}
	return stale(res, "category", c.ID)
}

// Ancestors lists id and its ancestors, nearest first. The walk is bounded so
// that a corrupt tree cannot loop forever.
func (s *Store) Ancestors(ctx context.Context, id string) ([]string, error) {
	var out []string
	for cur := id; cur != "" && len(out) < 1000; {
		out = append(out, cur)
		var parent *string
		err := s.idb.NewSelect().Model((*categoryRow)(nil)).Column("c.parent_id").Where("c.id = ?", cur).Scan(ctx, &parent)
		if err != nil {
			return nil, notFound(err, "category", cur)
		}
		cur = ""
		if parent != nil {
			cur = *parent
		}
	}
	return out, nil
}

// ActiveChildren counts the active subcategories of id.
func (s *Store) ActiveChildren(ctx context.Context, id string) (int, error) {
	n, err := s.idb.NewSelect().Model((*categoryRow)(nil)).
		Where("c.parent_id = ? AND c.status = ?", id, domain.StatusActive).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count subcategories: %w", err)
	}
	return int(n), nil
}

// PurgeCategory deletes a category for good; media lose it. A category that
// still has subcategories (even removed ones) stays: they would be orphaned.
func (s *Store) PurgeCategory(ctx context.Context, id string, now time.Time) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.lockTree(ctx); err != nil {
			return err
		}
		c, err := tx.Category(ctx, id)
		if err != nil {
			return err
		}
		n, err := tx.idb.NewSelect().Model((*categoryRow)(nil)).Where("c.parent_id = ?", id).Count(ctx)
		if err != nil {
			return fmt.Errorf("count subcategories: %w", err)
		}
		if n > 0 {
			return errs.Conflictf("category %s has %d subcategories; move or delete them first", id, n)
		}
		var affected []string
		err = tx.idb.NewSelect().TableExpr("media_categories").Column("media_id").Where("category_id = ?", id).
			Order("media_id").Scan(ctx, &affected)
		if err != nil {
			return fmt.Errorf("find categorised media: %w", err)
		}
		if len(affected) > 0 {
			_, err = tx.idb.NewUpdate().TableExpr("media").Set("version = version + 1").Set("updated_at = ?", now).
				Where("id IN (?)", bun.List(affected)).Exec(ctx)
			if err != nil {
				return fmt.Errorf("uncategorise media: %w", err)
			}
		}
		if _, err := tx.idb.NewDelete().TableExpr("categories").Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete category: %w", err)
		}
		evs := []event{categoryEvent(EventCategoryDeleted, c)}
		for _, mid := range affected {
			m, err := tx.Media(ctx, mid)
			if err != nil {
				return err
			}
			evs = append(evs, mediaEvent(EventMediaUpdated, m))
		}
		return tx.record(ctx, evs...)
	})
}

// CategoryQuery selects a page of categories.
type CategoryQuery struct {
	Actor domain.Actor
	// ParentID "" lists every category, "root" the top level.
	ParentID string
	// Status "" means active; removed ones are listed to moderators only.
	Status string
	Order  sortSpec
	After  *position
	Size   int
}

// categoryOrders are the orders GET /v1/categories offers.
var categoryOrders = map[string]sortSpec{
	"slug": {name: "slug", column: "slug"},
	"name": {name: "name", column: "name_sort"},
}

// ListCategories returns a page of the categories the actor may see.
func (s *Store) ListCategories(ctx context.Context, q CategoryQuery) ([]domain.Category, string, error) {
	var rows []categoryRow
	status := q.Status
	if status == "" {
		status = domain.StatusActive
	}
	if status != domain.StatusActive && !q.Actor.Moderator {
		return []domain.Category{}, "", nil
	}
	sel := s.idb.NewSelect().Model(&rows).Where("c.status = ?", status)
	switch q.ParentID {
	case "":
	case "root":
		sel = sel.Where("c.parent_id IS NULL")
	default:
		sel = sel.Where("c.parent_id = ?", q.ParentID)
	}
	if err := page(sel, "c", q.Order, q.After, q.Size).Scan(ctx); err != nil {
		return nil, "", fmt.Errorf("list categories: %w", err)
	}
	next, n := nextToken(q.Order, len(rows), q.Size, func(i int) (string, string) {
		if q.Order.column == "slug" {
			return rows[i].Slug, rows[i].ID
		}
		return rows[i].NameSort, rows[i].ID
	})
	out := make([]domain.Category, n)
	for i := range out {
		out[i] = rows[i].category()
	}
	return out, next, nil
}

// checkParent verifies that c's parent exists, is active, and is not c
// itself or one of its descendants.
func (s *Store) checkParent(ctx context.Context, c domain.Category) error {
	if c.ParentID == nil {
		return nil
	}
	p, err := s.Category(ctx, *c.ParentID)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && p.Status != domain.StatusActive) {
		return errs.InvalidField("parent_id", "no such active category")
	}
	if err != nil {
		return err
	}
	ancestors, err := s.Ancestors(ctx, p.ID)
	if err != nil {
		return err
	}
	return c.CheckParent(ancestors)
}
