package search

import (
	"context"
	"encoding/json"
	"time"

	"github.com/alexandria-platform/alexandria/internal/search/domain"
)

// LoadItem is a published item given to Load (benchmarks and tools that
// fill an index without events).
type LoadItem struct {
	ID, Title, Description, Kind, Language, License string
	AuthorIDs, CategoryIDs, Tags                    []string
	PublishedAt                                     time.Time
	Duration                                        *float64
	PageCount                                       *int
	// Pages is extracted text, one entry per PDF page.
	Pages []string
}

// LoadAuthor is an active author given to Load.
type LoadAuthor struct{ ID, Name string }

// Load indexes published items (and their authors) in one transaction, as
// the consumers and the text fetcher would.
func (s *Store) Load(ctx context.Context, authors []LoadAuthor, items []LoadItem) error {
	return s.InTx(ctx, func(ctx context.Context, st *Store) error {
		for _, a := range authors {
			if err := st.PutAuthor(ctx, AuthorRecord{ID: a.ID, Name: a.Name, Status: "active", Version: 1}); err != nil {
				return err
			}
		}
		for _, it := range items {
			pub := it.PublishedAt.UTC()
			view := searchMediaJSON{ID: it.ID, Title: it.Title, Description: it.Description, Kind: it.Kind, Language: it.Language,
				AuthorIDs: orEmpty(it.AuthorIDs), CategoryIDs: orEmpty(it.CategoryIDs), Tags: orEmpty(it.Tags), License: it.License,
				PublishedAt: &pub, Status: "published", CreatedAt: pub, UpdatedAt: pub, Version: 1}
			rec := MediaRecord{ID: it.ID, Title: it.Title, Description: it.Description, Kind: it.Kind, Language: it.Language,
				License: it.License, Status: "published", AuthorIDs: it.AuthorIDs, CategoryIDs: it.CategoryIDs, Tags: it.Tags,
				PublishedAt: &pub, CreatedAt: pub, Duration: it.Duration, Pages: it.PageCount, Version: 1}
			if len(it.Pages) > 0 {
				view.Content = &searchContentJSON{ContentType: "application/pdf", SHA256: "load", Pages: it.PageCount}
				view.Derivatives = []searchDerivativeJSON{{Kind: "text", Name: "text.txt"}}
				rec.TextName, rec.TextObject = "text.txt", "text.txt@load"
			}
			doc, err := json.Marshal(view)
			if err != nil {
				return err
			}
			rec.Doc = doc
			if _, err := st.PutMedia(ctx, rec, pub); err != nil {
				return err
			}
			if len(it.Pages) > 0 {
				pages := make([]Page, len(it.Pages))
				for i, p := range it.Pages {
					pages[i] = Page{N: i + 1, Body: p}
				}
				if _, err := st.PutText(ctx, TextJob{MediaID: it.ID, Name: rec.TextName, Source: rec.TextObject}, pages); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Baseline runs the bare full-text query for one word, stemmed for langs as
// the API stems it — the match and the ranking, nothing else: no
// visibility, filters, facets, highlights or count — returning the IDs of
// the first limit items. Benchmarks report the API's query shapes as
// ratios to it.
func (s *Store) Baseline(ctx context.Context, word string, langs []string, limit int) ([]string, error) {
	q := domain.ParseQuery(word)
	var ids []string
	var err error
	if !s.postgres() {
		err = s.idb().NewRaw(`SELECT CAST(m.id AS TEXT) FROM search_fts JOIN search_media m ON m.rid = search_fts.rowid
			WHERE search_fts MATCH ? ORDER BY rank LIMIT ?`, fts5Query(q, langs), limit).Scan(ctx, &ids)
	} else {
		tq, args := pgTSQuery(q, langs)
		args = append(append(args, args...), limit)
		err = s.idb().NewRaw(`SELECT CAST(id AS TEXT) FROM search_media WHERE tsv @@ `+tq+`
			ORDER BY ts_rank(tsv, `+tq+`) DESC LIMIT ?`, args...).Scan(ctx, &ids)
	}
	if isNoRows(err) {
		err = nil
	}
	return ids, err
}
