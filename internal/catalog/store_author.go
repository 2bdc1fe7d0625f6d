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
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type authorRow struct {
	bun.BaseModel `bun:"table:authors,alias:a"`
	ID            string    `bun:"id,pk"`
	Name          string    `bun:"name"`
	NameSort      string    `bun:"name_sort"`
	Bio           string    `bun:"bio"`
	Links         string    `bun:"links"`
	Avatar        string    `bun:"avatar"`
	Status        string    `bun:"status"`
	RemovedBy     string    `bun:"removed_by"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
}

type memberRow struct {
	bun.BaseModel `bun:"table:author_members,alias:am"`
	AuthorID      string    `bun:"author_id,pk"`
	UserID        string    `bun:"user_id,pk"`
	Role          string    `bun:"role"`
	AddedAt       time.Time `bun:"added_at"`
}

// storedLink is the JSON of the links column; its field names are the
// stored format.
type storedLink struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

func toAuthorRow(a domain.Author) (authorRow, error) {
	var stored []storedLink
	if a.Links != nil {
		stored = make([]storedLink, len(a.Links))
		for i, l := range a.Links {
			stored[i] = storedLink(l)
		}
	}
	links, err := json.Marshal(stored)
	if err != nil {
		return authorRow{}, err
	}
	return authorRow{ID: a.ID, Name: a.Name, NameSort: strings.ToLower(a.Name), Bio: a.Bio, Links: string(links),
		Avatar: a.Avatar, Status: a.Status, RemovedBy: a.RemovedBy, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: a.Version}, nil
}

func (r authorRow) author(members []memberRow) (domain.Author, error) {
	a := domain.Author{ID: r.ID, Name: r.Name, Bio: r.Bio, Avatar: r.Avatar, Status: r.Status, RemovedBy: r.RemovedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version, Members: []domain.AuthorMember{}}
	var links []storedLink
	if err := json.Unmarshal([]byte(r.Links), &links); err != nil {
		return a, fmt.Errorf("author %s links: %w", r.ID, err)
	}
	if links != nil {
		a.Links = make([]domain.AuthorLink, len(links))
		for i, l := range links {
			a.Links[i] = domain.AuthorLink(l)
		}
	}
	if a.Links == nil {
		a.Links = []domain.AuthorLink{}
	}
	for _, m := range members {
		a.Members = append(a.Members, domain.AuthorMember{UserID: m.UserID, Role: m.Role, AddedAt: m.AddedAt.UTC()})
	}
	return a, nil
}

// CreateAuthor inserts a new author with its members.
func (s *Store) CreateAuthor(ctx context.Context, a domain.Author) error {
	row, err := toAuthorRow(a)
	if err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Store) error {
		if _, err := tx.idb.NewInsert().Model(&row).Exec(ctx); err != nil {
			return fmt.Errorf("insert author: %w", err)
		}
		if err := tx.insertMembers(ctx, a); err != nil {
			return err
		}
		return tx.record(ctx, authorCreatedEvents(a)...)
	})
}

func (s *Store) insertMembers(ctx context.Context, a domain.Author) error {
	if len(a.Members) == 0 {
		return nil
	}
	rows := make([]memberRow, 0, len(a.Members))
	for _, m := range a.Members {
		rows = append(rows, memberRow{AuthorID: a.ID, UserID: m.UserID, Role: m.Role, AddedAt: m.AddedAt})
	}
	if _, err := s.idb.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("insert members: %w", err)
	}
	return nil
}

// Author loads one author with its members.
func (s *Store) Author(ctx context.Context, id string) (domain.Author, error) {
	if !domain.ValidID(id) {
		return domain.Author{}, errs.NotFoundf("author %s not found", id)
	}
	var row authorRow
	if err := s.idb.NewSelect().Model(&row).Where("a.id = ?", id).Scan(ctx); err != nil {
		return domain.Author{}, notFound(err, "author", id)
	}
	list, err := s.withMembers(ctx, []authorRow{row})
	if err != nil {
		return domain.Author{}, err
	}
	return list[0], nil
}

// Authors loads the authors among ids that exist, keyed by ID.
func (s *Store) Authors(ctx context.Context, ids []string) (map[string]domain.Author, error) {
	out := map[string]domain.Author{}
	ids = validIDs(ids)
	if len(ids) == 0 {
		return out, nil
	}
	var rows []authorRow
	if err := s.idb.NewSelect().Model(&rows).Where("a.id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load authors: %w", err)
	}
	list, err := s.withMembers(ctx, rows)
	if err != nil {
		return nil, err
	}
	for _, a := range list {
		out[a.ID] = a
	}
	return out, nil
}

func (s *Store) withMembers(ctx context.Context, rows []authorRow) ([]domain.Author, error) {
	out := make([]domain.Author, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var members []memberRow
	err := s.idb.NewSelect().Model(&members).Where("am.author_id IN (?)", bun.List(ids)).
		OrderExpr("am.added_at ASC, am.user_id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load members: %w", err)
	}
	byAuthor := map[string][]memberRow{}
	for _, m := range members {
		byAuthor[m.AuthorID] = append(byAuthor[m.AuthorID], m)
	}
	for _, r := range rows {
		a, err := r.author(byAuthor[r.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// SaveAuthor writes a changed author read at version prev, members included.
// A write that lost a race with another one is PreconditionFailed. It
// records no event: UpdateAuthor is the write path of use cases.
func (s *Store) SaveAuthor(ctx context.Context, a domain.Author, prev int64) error {
	row, err := toAuthorRow(a)
	if err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Store) error {
		res, err := tx.idb.NewUpdate().Model(&row).WherePK().Where("version = ?", prev).Exec(ctx)
		if err != nil {
			return fmt.Errorf("update author: %w", err)
		}
		if err := stale(res, "author", a.ID); err != nil {
			return err
		}
		if _, err := tx.idb.NewDelete().Model((*memberRow)(nil)).Where("author_id = ?", a.ID).Exec(ctx); err != nil {
			return fmt.Errorf("replace members: %w", err)
		}
		return tx.insertMembers(ctx, a)
	})
}

// UpdateAuthor loads an author, lets change apply a domain rule to it, and
// saves it when the rule changed it (its version moved), with the events of
// the change, in one transaction.
func (s *Store) UpdateAuthor(ctx context.Context, id string, change func(a *domain.Author) error) (domain.Author, error) {
	var a domain.Author
	err := s.txRetrying(ctx, func(tx *Store) error {
		if err := tx.lockRow(ctx, "authors", id); err != nil {
			return err
		}
		before, err := tx.Author(ctx, id)
		if err != nil {
			return err
		}
		a = before
		a.Members, a.Links = slices.Clone(before.Members), slices.Clone(before.Links)
		if err := change(&a); err != nil {
			return err
		}
		if a.Version == before.Version {
			return nil
		}
		if err := tx.SaveAuthor(ctx, a, before.Version); err != nil {
			return err
		}
		return tx.record(ctx, authorEvents(before, a)...)
	})
	return a, err
}

// PurgeAuthor deletes an author for good, with its members and credits.
// Media it was the only author of go with it; the others lose the credit.
func (s *Store) PurgeAuthor(ctx context.Context, id string, now time.Time) error {
	return s.Tx(ctx, func(tx *Store) error {
		a, err := tx.Author(ctx, id)
		if err != nil {
			return err
		}
		var credited []mediaRow
		err = tx.idb.NewSelect().Model(&credited).
			Where("m.id IN (SELECT ma.media_id FROM media_authors ma WHERE ma.author_id = ?)", id).Order("m.id").Scan(ctx)
		if err != nil {
			return fmt.Errorf("find credited media: %w", err)
		}
		media, err := tx.withLinks(ctx, credited)
		if err != nil {
			return err
		}
		var sole, shared []string
		var evs []event
		for _, m := range media {
			if len(m.AuthorIDs) == 1 {
				sole = append(sole, m.ID)
				evs = append(evs, mediaEvent(EventMediaDeleted, m))
			} else {
				shared = append(shared, m.ID)
			}
		}
		if len(sole) > 0 {
			if _, err := tx.idb.NewDelete().TableExpr("media").Where("id IN (?)", bun.List(sole)).Exec(ctx); err != nil {
				return fmt.Errorf("delete sole-authored media: %w", err)
			}
		}
		if len(shared) > 0 {
			_, err = tx.idb.NewUpdate().TableExpr("media").Set("version = version + 1").Set("updated_at = ?", now).
				Where("id IN (?)", bun.List(shared)).Exec(ctx)
			if err != nil {
				return fmt.Errorf("uncredit media: %w", err)
			}
		}
		if _, err := tx.idb.NewDelete().TableExpr("authors").Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete author: %w", err)
		}
		evs = append([]event{authorEvent(EventAuthorDeleted, a)}, evs...)
		for _, mid := range shared {
			m, err := tx.Media(ctx, mid)
			if err != nil {
				return err
			}
			evs = append(evs, mediaEvent(EventMediaUpdated, m))
		}
		return tx.record(ctx, evs...)
	})
}

// AuthorQuery selects a page of authors.
type AuthorQuery struct {
	Actor    domain.Actor
	Name     string // substring of the name, case-insensitive
	MemberID string
	Status   string // "" means active
	Order    sortSpec
	After    *position
	Size     int
}

// authorOrders are the orders GET /v1/authors offers.
var authorOrders = map[string]sortSpec{
	"newest": {name: "newest", desc: true},
	"oldest": {name: "oldest"},
	"name":   {name: "name", column: "name_sort"},
}

// ListAuthors returns a page of the authors the actor may see.
func (s *Store) ListAuthors(ctx context.Context, q AuthorQuery) ([]domain.Author, string, error) {
	var rows []authorRow
	sel := s.idb.NewSelect().Model(&rows)
	status := q.Status
	if status == "" {
		status = domain.StatusActive
	}
	sel = sel.Where("a.status = ?", status)
	if !q.Actor.Moderator && status != domain.StatusActive {
		// Removed authors are listed only to their own members.
		sel = sel.Where("EXISTS (SELECT 1 FROM author_members v WHERE v.author_id = a.id AND v.user_id = ?)",
			nullID(q.Actor.UserID))
	}
	if q.Name != "" {
		sel = sel.Where("a.name_sort LIKE ? "+httpx.LikeEscape, httpx.ContainsPattern(strings.ToLower(q.Name)))
	}
	if q.MemberID != "" {
		sel = sel.Where("EXISTS (SELECT 1 FROM author_members f WHERE f.author_id = a.id AND f.user_id = ?)", q.MemberID)
		if !q.Actor.Moderator && q.MemberID != q.Actor.UserID {
			// Membership is visible to the author's members only: asking
			// for someone else's authors finds those the caller shares.
			sel = sel.Where("EXISTS (SELECT 1 FROM author_members o WHERE o.author_id = a.id AND o.user_id = ?)",
				nullID(q.Actor.UserID))
		}
	}
	if err := page(sel, "a", q.Order, q.After, q.Size).Scan(ctx); err != nil {
		return nil, "", fmt.Errorf("list authors: %w", err)
	}
	next, n := nextToken(q.Order, len(rows), q.Size, func(i int) (string, string) { return rows[i].NameSort, rows[i].ID })
	list, err := s.withMembers(ctx, rows[:n])
	return list, next, err
}

// nullID stands in for an anonymous caller in a user_id comparison: a
// well-formed UUID no user has, so the query stays valid on PostgreSQL.
func nullID(userID string) string {
	if userID == "" {
		return "00000000-0000-0000-0000-000000000000"
	}
	return userID
}
