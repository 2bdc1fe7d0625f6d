package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL's COPY for a Loader: rows go to the server in one stream per
// table instead of statements of bound parameters. A full-text vector
// cannot be computed by COPY, so items and pages are copied into staging
// tables (temporary, the session's) and moved by one INSERT … SELECT that
// computes it: the same expressions as pgDocVector and pagePut.

// copyFrom streams rows into table's columns on the loader's connection,
// inside its transaction.
func (l *Loader) copyFrom(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	return l.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("search: COPY needs a pgx connection, not %T", dc)
		}
		if _, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		return nil
	})
}

// stage creates the session's staging tables once: search_media's and
// search_pages' columns (their types) and the folded text fields.
func (l *Loader) stage(ctx context.Context) error {
	if l.staged {
		return nil
	}
	for _, q := range []string{
		`CREATE TEMP TABLE IF NOT EXISTS search_load_media AS SELECT ` + loadMediaCols + `,
			CAST('' AS TEXT) AS cfg, CAST('' AS TEXT) AS f_title, CAST('' AS TEXT) AS f_names, CAST('' AS TEXT) AS f_description,
			CAST('' AS TEXT) AS f_content FROM search_media WITH NO DATA`,
		`CREATE TEMP TABLE IF NOT EXISTS search_load_pages AS SELECT media_id, page, part, body,
			CAST('' AS TEXT) AS cfg, CAST('' AS TEXT) AS folded FROM search_pages WITH NO DATA`,
	} {
		if _, err := l.st.idb().ExecContext(ctx, q); err != nil {
			return fmt.Errorf("search load staging: %w", err)
		}
	}
	l.staged = true
	return nil
}

// loadMediaCols are the columns of search_media a load writes (tsv aside),
// in the order of bulkLoad's rows.
const loadMediaCols = "id, title, description, kind, language, license, status, visible, published_at, sort_time, duration, pages, " +
	"version, doc, title_norm, authors_text, text_object, text_indexed, event_time"

var loadMediaColList = []string{"id", "title", "description", "kind", "language", "license", "status", "visible", "published_at",
	"sort_time", "duration", "pages", "version", "doc", "title_norm", "authors_text", "text_object", "text_indexed", "event_time",
	"cfg", "f_title", "f_names", "f_description", "f_content"}

// pgStagedVector is pgDocVector over the staging table's columns.
const pgStagedVector = `setweight(to_tsvector('simple', f_title) || to_tsvector(CAST(cfg AS regconfig), f_title), 'A') || ` +
	`setweight(to_tsvector('simple', f_names) || to_tsvector(CAST(cfg AS regconfig), f_names), 'B') || ` +
	`setweight(to_tsvector('simple', f_description) || to_tsvector(CAST(cfg AS regconfig), f_description), 'C') || ` +
	`setweight(to_tsvector('simple', f_content) || to_tsvector(CAST(cfg AS regconfig), f_content), 'D')`

// copyMedia writes items' rows (loadMediaColList) and their tsvector,
// and gives each item's rid to ridOf (lower-case ID).
func (l *Loader) copyMedia(ctx context.Context, rows [][]any, ridOf map[string]int64) error {
	if len(rows) == 0 {
		return nil
	}
	if err := l.stage(ctx); err != nil {
		return err
	}
	if err := l.copyFrom(ctx, "search_load_media", loadMediaColList, rows); err != nil {
		return err
	}
	var rids []struct {
		RID int64  `bun:"rid"`
		ID  string `bun:"id"`
	}
	if err := l.st.idb().NewRaw("INSERT INTO search_media ("+loadMediaCols+", tsv) SELECT "+loadMediaCols+", "+pgStagedVector+
		" FROM search_load_media RETURNING rid, CAST(id AS TEXT) AS id").Scan(ctx, &rids); err != nil {
		return err
	}
	for _, r := range rids {
		ridOf[strings.ToLower(r.ID)] = r.RID
	}
	_, err := l.st.idb().ExecContext(ctx, "TRUNCATE search_load_media")
	return err
}

// copyPages writes pages (media_id, page, part, body, folded language
// configuration, folded body — bulkPages' rows) and their tsvector.
func (l *Loader) copyPages(ctx context.Context, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if err := l.stage(ctx); err != nil {
		return err
	}
	// bulkPages' rows are (media_id, page, part, body, folded, cfg, folded).
	staged := make([][]any, len(rows))
	for i, r := range rows {
		staged[i] = []any{r[0], r[1], r[2], r[3], r[5], r[4]}
	}
	if err := l.copyFrom(ctx, "search_load_pages", []string{"media_id", "page", "part", "body", "cfg", "folded"}, staged); err != nil {
		return err
	}
	for _, q := range []string{
		`INSERT INTO search_pages (media_id, page, part, body, tsv) SELECT media_id, page, part, body,
			to_tsvector('simple', folded) || to_tsvector(CAST(cfg AS regconfig), folded) FROM search_load_pages`,
		"TRUNCATE search_load_pages",
	} {
		if _, err := l.st.idb().ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
