package search

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/search/domain"
)

// Store is search's repository: the only place with SQL. Dialect
// differences (FTS5 on SQLite, tsvector and pg_trgm on PostgreSQL) are
// confined to store_fts.go; everything else is one code path.
type Store struct {
	db *db.DB
	tx bun.IDB // the transaction the repository is bound to, if any
	// trgm is the schema of the pg_trgm extension (PostgreSQL).
	trgm string
	// summaries caches public browses' totals and facets (store_summary.go).
	summaries *summaryCache
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func newStore(d *db.DB) *Store { return &Store{db: d, summaries: &summaryCache{}} }

// inTx is the repository bound to a transaction it opened (InTx).
func (s *Store) inTx(tx bun.Tx) *Store { return s.bound(tx) }

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

func (s *Store) postgres() bool { return s.db.Dialect == db.Postgres }

// Ping checks the store answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// InTx runs fn with the repository bound to one transaction.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, st *Store) error) error {
	if s.tx != nil {
		return fn(ctx, s)
	}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, s.inTx(tx)) })
}

// MediaRecord is a media item as search keeps it.
type MediaRecord struct {
	ID, Title, Description, Kind, Language, License, Status string
	AuthorIDs, CategoryIDs, Tags                            []string
	PublishedAt                                             *time.Time
	CreatedAt                                               time.Time
	Duration                                                *float64
	Pages                                                   *int
	Version                                                 int64
	// Doc is the public view (JSON) answered in search results.
	Doc []byte
	// TextObject identifies the extracted text derivative of the current
	// file ("" when there is none): name and the file's sha256.
	TextObject string
	TextName   string
}

func (m MediaRecord) sortTime() time.Time {
	if m.PublishedAt != nil {
		return m.PublishedAt.UTC()
	}
	return m.CreatedAt.UTC()
}

// PutMedia records a media item unless a newer version is already known.
// It reports whether the item is now visible and needs its text fetched.
func (s *Store) PutMedia(ctx context.Context, m MediaRecord, eventTime time.Time) (needText bool, err error) {
	return s.putMedia(ctx, m, eventTime, false)
}

// putMedia is PutMedia; with again, a record of the indexed version is
// written again (a reindex), an older one still never.
func (s *Store) putMedia(ctx context.Context, m MediaRecord, eventTime time.Time, again bool) (needText bool, err error) {
	var cur struct {
		Version     int64  `bun:"version"`
		TextIndexed string `bun:"text_indexed"`
	}
	err = s.idb().NewRaw("SELECT version, text_indexed FROM search_media WHERE id = ?", m.ID).Scan(ctx, &cur)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	if found && (cur.Version > m.Version || (cur.Version == m.Version && !again)) {
		return false, nil
	}
	var rid int64
	err = s.idb().NewRaw(`INSERT INTO search_media (id, title, description, kind, language, license, status, visible,
		published_at, sort_time, duration, pages, version, doc, title_norm, text_object, event_time)
		VALUES (?, ?, ?, ?, ?, ?, ?, FALSE, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description, kind = excluded.kind,
		language = excluded.language, license = excluded.license, status = excluded.status,
		published_at = excluded.published_at, sort_time = excluded.sort_time, duration = excluded.duration,
		pages = excluded.pages, version = excluded.version, doc = excluded.doc, title_norm = excluded.title_norm,
		text_object = excluded.text_object, event_time = excluded.event_time
		RETURNING rid`,
		m.ID, m.Title, m.Description, m.Kind, m.Language, m.License, m.Status, m.PublishedAt, m.sortTime(),
		m.Duration, m.Pages, m.Version, string(m.Doc), domain.FoldText(m.Title), m.TextObject, eventTime.UTC()).Scan(ctx, &rid)
	if err != nil {
		return false, fmt.Errorf("put media %s: %w", m.ID, err)
	}
	for _, q := range []string{"DELETE FROM search_media_authors WHERE media_id = ?",
		"DELETE FROM search_media_categories WHERE media_id = ?", "DELETE FROM search_media_tags WHERE media_id = ?"} {
		if _, err := s.idb().NewRaw(q, m.ID).Exec(ctx); err != nil {
			return false, err
		}
	}
	if !found {
		// Engagement counted before the item was indexed.
		if _, err := s.idb().NewRaw(`UPDATE search_media SET popularity = COALESCE((SELECT e.views + `+likeWeight+` * e.likes
			FROM search_engagement e WHERE e.media_id = search_media.id), 0) WHERE id = ?`, m.ID).Exec(ctx); err != nil {
			return false, err
		}
	}
	if m.Language != "" {
		if _, err := s.idb().NewRaw("INSERT INTO search_languages (language) VALUES (?) ON CONFLICT DO NOTHING", m.Language).Exec(ctx); err != nil {
			return false, err
		}
	}
	for i, a := range m.AuthorIDs {
		if _, err := s.idb().NewRaw("INSERT INTO search_media_authors (media_id, author_id, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			m.ID, a, i).Exec(ctx); err != nil {
			return false, err
		}
	}
	for _, c := range m.CategoryIDs {
		if _, err := s.idb().NewRaw("INSERT INTO search_media_categories (media_id, category_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
			m.ID, c).Exec(ctx); err != nil {
			return false, err
		}
	}
	for _, t := range m.Tags {
		if _, err := s.idb().NewRaw("INSERT INTO search_media_tags (media_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
			m.ID, t).Exec(ctx); err != nil {
			return false, err
		}
	}
	if m.TextObject == "" && cur.TextIndexed != "" {
		if err := s.dropText(ctx, m.ID); err != nil {
			return false, err
		}
	}
	visible, err := s.refresh(ctx, m.ID)
	if err != nil {
		return false, err
	}
	if err := s.touch(ctx); err != nil {
		return false, err
	}
	words := domain.Words(domain.Fold(m.Title + " " + m.Description + " " + strings.Join(m.Tags, " ")))
	if err := s.addTerms(ctx, words); err != nil {
		return false, err
	}
	return visible && m.TextObject != "" && m.TextObject != cur.TextIndexed, nil
}

// Chapter is an entry of an EPUB's table of contents.
type Chapter struct {
	Position int    `bun:"position"`
	Part     int    `bun:"part"`
	Title    string `bun:"title"`
	Href     string `bun:"href"`
}

// PutChapters records the table of contents of one original of an item.
func (s *Store) PutChapters(ctx context.Context, mediaID, sha256 string, chapters []Chapter) error {
	if _, err := s.idb().NewRaw("DELETE FROM search_chapters WHERE media_id = ? AND sha256 = ?", mediaID, sha256).Exec(ctx); err != nil {
		return err
	}
	for _, c := range chapters {
		if _, err := s.idb().NewRaw("INSERT INTO search_chapters (media_id, sha256, position, part, title, href) VALUES (?, ?, ?, ?, ?, ?)",
			mediaID, sha256, c.Position, c.Part, c.Title, c.Href).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Chapters returns the table of contents of an item's original, in order.
func (s *Store) Chapters(ctx context.Context, mediaID, sha256 string) ([]Chapter, error) {
	var out []Chapter
	err := s.idb().NewRaw("SELECT position, part, title, href FROM search_chapters WHERE media_id = ? AND sha256 = ? ORDER BY position",
		mediaID, sha256).Scan(ctx, &out)
	if isNoRows(err) {
		err = nil
	}
	return out, err
}

// Languages are the languages of the indexed items.
func (s *Store) Languages(ctx context.Context) ([]string, error) {
	var out []string
	err := s.idb().NewRaw("SELECT language FROM search_languages ORDER BY language LIMIT 200").Scan(ctx, &out)
	if isNoRows(err) {
		err = nil
	}
	return out, err
}

// likeWeight is what one like adds to an item's popularity (a view adds 1).
const likeWeight = "10"

// AddEngagement adds likes and views to an item's counts (either may be
// negative: a like taken back). The item's popularity follows at the next
// FlushPopularity.
func (s *Store) AddEngagement(ctx context.Context, mediaID string, likes, views int64) error {
	_, err := s.idb().NewRaw(`INSERT INTO search_engagement (media_id, likes, views, seq, flushed_seq) VALUES (?, ?, ?, 1, 0)
		ON CONFLICT (media_id) DO UPDATE SET likes = search_engagement.likes + excluded.likes,
		views = search_engagement.views + excluded.views, seq = search_engagement.seq + 1`,
		mediaID, likes, views).Exec(ctx)
	return err
}

// FlushPopularity copies the counts changed since the last flush into the
// items' popularity, at most limit items; it returns how many it copied.
// A count changed during the flush stays pending (its seq moved on).
func (s *Store) FlushPopularity(ctx context.Context, limit int) (int, error) {
	n := 0
	err := s.InTx(ctx, func(ctx context.Context, st *Store) error {
		var rows []struct {
			MediaID string `bun:"media_id"`
			Likes   int64  `bun:"likes"`
			Views   int64  `bun:"views"`
			Seq     int64  `bun:"seq"`
		}
		if err := st.idb().NewRaw(`SELECT CAST(media_id AS TEXT) AS media_id, likes, views, seq FROM search_engagement
			WHERE seq > flushed_seq LIMIT ?`, limit).Scan(ctx, &rows); err != nil && !isNoRows(err) {
			return err
		}
		for _, r := range rows {
			if _, err := st.idb().NewRaw("UPDATE search_media SET popularity = ? + "+likeWeight+" * ? WHERE id = ?",
				max(r.Views, 0), max(r.Likes, 0), r.MediaID).Exec(ctx); err != nil {
				return err
			}
			if _, err := st.idb().NewRaw("UPDATE search_engagement SET flushed_seq = ? WHERE media_id = ?", r.Seq, r.MediaID).Exec(ctx); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	return n, err
}

// DeleteMedia forgets a media item entirely.
func (s *Store) DeleteMedia(ctx context.Context, id string) error {
	var rid int64
	err := s.idb().NewRaw("SELECT rid FROM search_media WHERE id = ?", id).Scan(ctx, &rid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.dropText(ctx, id); err != nil {
		return err
	}
	if err := s.ftsDelete(ctx, rid); err != nil {
		return err
	}
	for _, q := range []string{"DELETE FROM search_media_authors WHERE media_id = ?",
		"DELETE FROM search_media_categories WHERE media_id = ?", "DELETE FROM search_media_tags WHERE media_id = ?",
		"DELETE FROM search_text_jobs WHERE media_id = ?", "DELETE FROM search_engagement WHERE media_id = ?",
		"DELETE FROM search_chapters WHERE media_id = ?",
		"DELETE FROM search_media WHERE id = ?"} {
		if _, err := s.idb().NewRaw(q, id).Exec(ctx); err != nil {
			return err
		}
	}
	return s.touch(ctx)
}

// refresh recomputes what depends on other rows — visibility (published,
// no removed author), the authors' names — and rewrites the item's
// full-text entry. It reports whether the item is visible.
func (s *Store) refresh(ctx context.Context, id string) (bool, error) {
	if _, err := s.idb().NewRaw(`UPDATE search_media SET visible = (status = 'published' AND NOT EXISTS (
		SELECT 1 FROM search_media_authors ma JOIN search_authors a ON a.id = ma.author_id
		WHERE ma.media_id = search_media.id AND a.status <> 'active')) WHERE id = ?`, id).Exec(ctx); err != nil {
		return false, err
	}
	var names []string
	if err := s.idb().NewRaw(`SELECT a.name FROM search_media_authors ma JOIN search_authors a ON a.id = ma.author_id
		WHERE ma.media_id = ? ORDER BY ma.position`, id).Scan(ctx, &names); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	if _, err := s.idb().NewRaw("UPDATE search_media SET authors_text = ? WHERE id = ?", strings.Join(names, ", "), id).Exec(ctx); err != nil {
		return false, err
	}
	var row struct {
		RID         int64  `bun:"rid"`
		Title       string `bun:"title"`
		Description string `bun:"description"`
		Language    string `bun:"language"`
		Authors     string `bun:"authors_text"`
		Visible     bool   `bun:"visible"`
	}
	if err := s.idb().NewRaw("SELECT rid, title, description, language, authors_text, visible FROM search_media WHERE id = ?", id).
		Scan(ctx, &row); err != nil {
		return false, err
	}
	var tags []string
	if err := s.idb().NewRaw("SELECT tag FROM search_media_tags WHERE media_id = ? ORDER BY tag", id).Scan(ctx, &tags); err != nil &&
		!errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	content, err := s.contentOf(ctx, id)
	if err != nil {
		return false, err
	}
	doc := ftsDoc{Title: domain.FoldText(row.Title), Authors: domain.FoldText(row.Authors), Tags: domain.FoldText(strings.Join(tags, " ")),
		Description: domain.FoldText(row.Description), Content: content, Language: row.Language}
	if err := s.ftsPut(ctx, row.RID, doc); err != nil {
		return false, err
	}
	return row.Visible, nil
}

// maxIndexedContent bounds the text of one item in its full-text entry
// (PostgreSQL's tsvector holds at most 1 MB); search inside reads pages.
const maxIndexedContent = 256 << 10

// contentOf is the item's extracted text, folded, as indexed with it.
func (s *Store) contentOf(ctx context.Context, id string) (string, error) {
	var bodies []string
	if err := s.idb().NewRaw("SELECT body FROM search_pages WHERE media_id = ? ORDER BY page", id).Scan(ctx, &bodies); err != nil &&
		!errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	var b strings.Builder
	for _, body := range bodies {
		if b.Len() >= maxIndexedContent {
			break
		}
		b.WriteString(domain.FoldText(body))
		b.WriteByte(' ')
	}
	out := b.String()
	if len(out) > maxIndexedContent {
		out = out[:strings.LastIndexByte(out[:maxIndexedContent], ' ')+1]
	}
	return out, nil
}

// refreshAuthor rewrites every item crediting the author.
func (s *Store) refreshAuthor(ctx context.Context, authorID string) error {
	var ids []string
	if err := s.idb().NewRaw("SELECT media_id FROM search_media_authors WHERE author_id = ?", authorID).Scan(ctx, &ids); err != nil &&
		!errors.Is(err, sql.ErrNoRows) {
		return err
	}
	for _, id := range ids {
		if _, err := s.refresh(ctx, id); err != nil {
			return err
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return s.touch(ctx)
}

// AuthorRecord is an author as search keeps it.
type AuthorRecord struct {
	ID, Name, Status string
	Version          int64
}

// PutAuthor records an author unless a newer version is known, and
// rewrites its items when its name or status changed.
func (s *Store) PutAuthor(ctx context.Context, a AuthorRecord) error {
	return s.putAuthor(ctx, a, false)
}

func (s *Store) putAuthor(ctx context.Context, a AuthorRecord, again bool) error {
	var cur AuthorRecord
	err := s.idb().NewRaw("SELECT name, status, version FROM search_authors WHERE id = ?", a.ID).Scan(ctx, &cur.Name, &cur.Status, &cur.Version)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if found && (cur.Version > a.Version || (cur.Version == a.Version && !again)) {
		return nil
	}
	if _, err := s.idb().NewRaw(`INSERT INTO search_authors (id, name, name_norm, status, version) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_norm = excluded.name_norm, status = excluded.status,
		version = excluded.version`, a.ID, a.Name, domain.FoldText(a.Name), a.Status, a.Version).Exec(ctx); err != nil {
		return err
	}
	if err := s.addTerms(ctx, domain.Words(domain.Fold(a.Name))); err != nil {
		return err
	}
	if found && cur.Name == a.Name && cur.Status == a.Status && !again {
		return nil
	}
	return s.refreshAuthor(ctx, a.ID)
}

// DeleteAuthor forgets an author and its members.
func (s *Store) DeleteAuthor(ctx context.Context, id string) error {
	for _, q := range []string{"DELETE FROM search_members WHERE author_id = ?", "DELETE FROM search_authors WHERE id = ?"} {
		if _, err := s.idb().NewRaw(q, id).Exec(ctx); err != nil {
			return err
		}
	}
	return s.refreshAuthor(ctx, id)
}

// PutMember records that a user acts for an author.
func (s *Store) PutMember(ctx context.Context, authorID, userID string) error {
	_, err := s.idb().NewRaw("INSERT INTO search_members (author_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING", authorID, userID).Exec(ctx)
	return err
}

// DeleteMember records that a user no longer acts for an author.
func (s *Store) DeleteMember(ctx context.Context, authorID, userID string) error {
	_, err := s.idb().NewRaw("DELETE FROM search_members WHERE author_id = ? AND user_id = ?", authorID, userID).Exec(ctx)
	return err
}

// CategoryRecord is a node of the category tree.
type CategoryRecord struct {
	ID       string
	ParentID *string
	Name     string
	Status   string
	Version  int64
}

// PutCategory records a category unless a newer version is known.
func (s *Store) PutCategory(ctx context.Context, c CategoryRecord) error {
	_, err := s.idb().NewRaw(`INSERT INTO search_categories (id, parent_id, name, status, version) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name, status = excluded.status,
		version = excluded.version WHERE search_categories.version <= excluded.version`,
		c.ID, c.ParentID, c.Name, c.Status, c.Version).Exec(ctx)
	return err
}

// DeleteCategory forgets a category (its items lose it by media events).
func (s *Store) DeleteCategory(ctx context.Context, id string) error {
	_, err := s.idb().NewRaw("DELETE FROM search_categories WHERE id = ?", id).Exec(ctx)
	return err
}

// Descendants returns the category and every category below it.
func (s *Store) Descendants(ctx context.Context, id string) ([]string, error) {
	var ids []string
	err := s.idb().NewRaw(`WITH RECURSIVE d(id) AS (SELECT CAST(? AS TEXT) UNION SELECT CAST(c.id AS TEXT) FROM search_categories c
		JOIN d ON CAST(c.parent_id AS TEXT) = d.id) SELECT id FROM d LIMIT 10000`, id).Scan(ctx, &ids)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return ids, err
}

// addTerms remembers words for correcting misspellings.
func (s *Store) addTerms(ctx context.Context, words []string) error {
	seen := map[string]bool{}
	var fresh []string
	for _, w := range words {
		if len(w) < 3 || len(w) > 40 || seen[w] {
			continue
		}
		seen[w] = true
		fresh = append(fresh, w)
	}
	for len(fresh) > 0 {
		n := min(len(fresh), 200)
		batch := fresh[:n]
		fresh = fresh[n:]
		values := strings.TrimSuffix(strings.Repeat("(?),", len(batch)), ",")
		args := make([]any, len(batch))
		for i, w := range batch {
			args[i] = w
		}
		var added []struct {
			RID  int64  `bun:"rid"`
			Term string `bun:"term"`
		}
		err := s.idb().NewRaw("INSERT INTO search_terms (term) VALUES "+values+" ON CONFLICT (term) DO NOTHING RETURNING rid, term", args...).
			Scan(ctx, &added)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("terms: %w", err)
		}
		rids, terms := make([]int64, len(added)), make([]string, len(added))
		for i, a := range added {
			rids[i], terms[i] = a.RID, a.Term
		}
		if err := s.termsAdded(ctx, rids, terms); err != nil {
			return err
		}
	}
	return nil
}

// Page is one page (or part) of an item's extracted text.
type Page struct {
	N int
	// Part is the form-feed separated part of the text the passage is in
	// (a PDF's page, an EPUB's reading-order document), from 1; 0 when the
	// text has none.
	Part int
	Body string
}

// NeedText queues the fetch of an item's extracted text.
func (s *Store) NeedText(ctx context.Context, mediaID, name, source string, eventTime, now time.Time) error {
	_, err := s.idb().NewRaw(`INSERT INTO search_text_jobs (media_id, object_name, source, attempts, next_at, event_time)
		VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (media_id) DO UPDATE SET object_name = excluded.object_name,
		source = excluded.source, attempts = 0, next_at = excluded.next_at, event_time = excluded.event_time`,
		mediaID, name, source, now.UTC(), eventTime.UTC()).Exec(ctx)
	return err
}

// TextJob is extracted text to fetch.
type TextJob struct {
	MediaID   string    `bun:"media_id"`
	Name      string    `bun:"object_name"`
	Source    string    `bun:"source"`
	Attempts  int       `bun:"attempts"`
	EventTime time.Time `bun:"event_time"`
}

// DueTextJobs returns jobs whose time has come.
func (s *Store) DueTextJobs(ctx context.Context, now time.Time, limit int) ([]TextJob, error) {
	var jobs []TextJob
	err := s.idb().NewRaw(`SELECT media_id, object_name, source, attempts, event_time FROM search_text_jobs
		WHERE next_at <= ? ORDER BY next_at LIMIT ?`, now.UTC(), limit).Scan(ctx, &jobs)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return jobs, err
}

// RetryTextJob puts a job off until next, or drops it after too many tries.
func (s *Store) RetryTextJob(ctx context.Context, j TextJob, next time.Time, giveUp bool) error {
	if giveUp {
		_, err := s.idb().NewRaw("DELETE FROM search_text_jobs WHERE media_id = ? AND source = ?", j.MediaID, j.Source).Exec(ctx)
		return err
	}
	_, err := s.idb().NewRaw("UPDATE search_text_jobs SET attempts = attempts + 1, next_at = ? WHERE media_id = ? AND source = ?",
		next.UTC(), j.MediaID, j.Source).Exec(ctx)
	return err
}

// PutText replaces an item's extracted text when source is still its
// current text, and finishes the job. It reports whether it did.
func (s *Store) PutText(ctx context.Context, j TextJob, pages []Page) (bool, error) {
	var done bool
	err := s.InTx(ctx, func(ctx context.Context, st *Store) error {
		var current string
		err := st.idb().NewRaw("SELECT text_object FROM search_media WHERE id = ?", j.MediaID).Scan(ctx, &current)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := st.idb().NewRaw("DELETE FROM search_text_jobs WHERE media_id = ? AND source = ?", j.MediaID, j.Source).Exec(ctx); err != nil {
			return err
		}
		if current != j.Source {
			return nil
		}
		if err := st.dropText(ctx, j.MediaID); err != nil {
			return err
		}
		lang := st.languageOf(ctx, j.MediaID)
		var all strings.Builder
		for _, p := range pages {
			var rid int64
			if err := st.idb().NewRaw("INSERT INTO search_pages (media_id, page, part, body) VALUES (?, ?, ?, ?) RETURNING rid",
				j.MediaID, p.N, p.Part, p.Body).Scan(ctx, &rid); err != nil {
				return err
			}
			folded := domain.FoldText(p.Body)
			if err := st.pagePut(ctx, rid, j.MediaID, lang, folded); err != nil {
				return err
			}
			if all.Len() < maxIndexedContent {
				all.WriteString(folded)
				all.WriteByte(' ')
			}
		}
		if _, err := st.idb().NewRaw("UPDATE search_media SET text_indexed = ? WHERE id = ?", j.Source, j.MediaID).Exec(ctx); err != nil {
			return err
		}
		if err := st.addTerms(ctx, domain.Words(all.String())); err != nil {
			return err
		}
		if _, err := st.refresh(ctx, j.MediaID); err != nil {
			return err
		}
		done = true
		return nil
	})
	return done, err
}

// dropText removes an item's pages.
func (s *Store) dropText(ctx context.Context, mediaID string) error {
	var rids []int64
	if err := s.idb().NewRaw("SELECT rid FROM search_pages WHERE media_id = ?", mediaID).Scan(ctx, &rids); err != nil &&
		!errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err := s.pagesDelete(ctx, rids); err != nil {
		return err
	}
	if _, err := s.idb().NewRaw("DELETE FROM search_pages WHERE media_id = ?", mediaID).Exec(ctx); err != nil {
		return err
	}
	_, err := s.idb().NewRaw("UPDATE search_media SET text_indexed = '' WHERE id = ?", mediaID).Exec(ctx)
	return err
}

// Secret returns the named secret, making a random one on first use.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, err
	}
	if _, err := s.idb().NewRaw("INSERT INTO search_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
		name, hex.EncodeToString(fresh[:])).Exec(ctx); err != nil {
		return nil, err
	}
	var v string
	if err := s.idb().NewRaw("SELECT value FROM search_secrets WHERE name = ?", name).Scan(ctx, &v); err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

// VisibleIDs pages through the IDs of visible items, in ID order.
func (s *Store) VisibleIDs(ctx context.Context, after string, limit int) ([]string, error) {
	var ids []string
	err := s.idb().NewRaw("SELECT CAST(id AS TEXT) FROM search_media WHERE visible = TRUE AND CAST(id AS TEXT) > ? ORDER BY CAST(id AS TEXT) LIMIT ?",
		after, limit).Scan(ctx, &ids)
	if isNoRows(err) {
		err = nil
	}
	return ids, err
}
