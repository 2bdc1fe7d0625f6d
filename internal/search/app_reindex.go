package search

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Reindex rebuilds the public part of the index from the owners' public
// APIs (catalog's GET /v1/categories, /v1/authors and /v1/media, as an
// anonymous reader, at apiURL) rather than by replaying events: the outbox
// keeps no history to replay. It works in place while the service keeps
// answering and consuming: each item is rewritten in its own transaction
// (never absent from the index meanwhile, never older than what events
// already brought), items the public may no longer see are removed at the
// end, and texts missing from the index are queued for the running
// service's text fetcher (texts already indexed stay until replaced).
// Drafts and memberships are not public and come only from events; they
// are kept as they are.
func Reindex(ctx context.Context, st *Store, apiURL string, client *http.Client, out io.Writer) error {
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	a := &app{store: st, m: mustMetrics(), now: func() time.Time { return time.Now().UTC() }, wake: make(chan struct{}, 1)}
	started := time.Now()
	get := func(path string, page any) error {
		return getJSON(ctx, client, strings.TrimRight(apiURL, "/")+path, page)
	}

	var cats, authors, media int
	err := pages(get, "/v1/categories?page_size=100", func(raw json.RawMessage) error {
		var c categoryEvent
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
		cats++
		return st.PutCategory(ctx, CategoryRecord{ID: c.ID, ParentID: c.ParentID, Name: c.Name, Status: c.Status, Version: c.Version})
	})
	if err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	err = pages(get, "/v1/authors?page_size=100", func(raw json.RawMessage) error {
		var au authorEvent
		if err := json.Unmarshal(raw, &au); err != nil {
			return err
		}
		authors++
		return st.InTx(ctx, func(ctx context.Context, tx *Store) error { return tx.putAuthor(ctx, AuthorRecord(au), true) })
	})
	if err != nil {
		return fmt.Errorf("authors: %w", err)
	}
	seen := map[string]bool{}
	err = pages(get, "/v1/media?page_size=100", func(raw json.RawMessage) error {
		var m mediaEvent
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
		if m.Status != "published" {
			return nil
		}
		media++
		seen[m.ID] = true
		return st.InTx(ctx, func(ctx context.Context, tx *Store) error { return a.putMediaAgain(ctx, tx, m) })
	})
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	removed := 0
	after := ""
	for {
		ids, err := st.VisibleIDs(ctx, after, 500)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			if !seen[id] {
				if err := st.InTx(ctx, func(ctx context.Context, tx *Store) error { return tx.DeleteMedia(ctx, id) }); err != nil {
					return err
				}
				removed++
			}
		}
		after = ids[len(ids)-1]
	}
	_, err = fmt.Fprintf(out, "search reindex: %d categories, %d authors, %d public media items rewritten; %d no longer public removed (%s)\n",
		cats, authors, media, removed, time.Since(started).Round(time.Millisecond))
	return err
}

func mustMetrics() *metrics {
	m, _ := newMetrics(nil)
	return m
}

// putMediaAgain is putMedia for a reindex: the indexed version is written again.
func (a *app) putMediaAgain(ctx context.Context, st *Store, e mediaEvent) error {
	rec, err := a.record(e)
	if err != nil {
		return err
	}
	now := a.now()
	needText, err := st.putMedia(ctx, rec, now, true)
	if err != nil || !needText {
		return err
	}
	return st.NeedText(ctx, rec.ID, rec.TextName, rec.TextObject, now, now)
}

// pages walks a list endpoint's pages (items, next_page_token).
func pages(get func(string, any) error, path string, each func(json.RawMessage) error) error {
	token := ""
	for range 1_000_000 {
		p := path
		if token != "" {
			p += "&page_token=" + url.QueryEscape(token)
		}
		var page struct {
			Items         []json.RawMessage `json:"items"`
			NextPageToken string            `json:"next_page_token"`
		}
		if err := get(p, &page); err != nil {
			return err
		}
		for _, raw := range page.Items {
			if err := each(raw); err != nil {
				return err
			}
		}
		if page.NextPageToken == "" {
			return nil
		}
		token = page.NextPageToken
	}
	return fmt.Errorf("%s: too many pages", path)
}

func getJSON(ctx context.Context, client *http.Client, u string, v any) error {
	// The base URL is the operator's; the rest are fixed paths and tokens, escaped.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil) //nolint:gosec // see above
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req) //nolint:gosec // see above
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, b)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(v)
}
