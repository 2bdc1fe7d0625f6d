package search

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// textClient fetches extracted text from storage's public API, as an
// anonymous reader: only published items' text is fetched (search indexes
// drafts' metadata, never their text; storage accepts no service key for
// derivatives).
type textClient struct {
	base   string
	client *http.Client
}

// errTextNotYet is an answer worth retrying: storage has not recorded the
// derivative yet, or the item is briefly not public.
var errTextNotYet = errors.New("text not served yet")

func (c textClient) fetch(ctx context.Context, mediaID, name string, limit int64) (string, error) {
	u := strings.TrimRight(c.base, "/") + "/v1/media/" + url.PathEscape(mediaID) + "/derivatives/" + url.PathEscape(name)
	// The host is configuration; the path parts are a UUID and a plain file name, escaped.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil) //nolint:gosec // see above
	if err != nil {
		return "", err
	}
	resp, err := c.client.Do(req) //nolint:gosec // see above
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusUnauthorized, http.StatusForbidden:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return "", fmt.Errorf("%w: %s", errTextNotYet, resp.Status)
	default:
		return "", fmt.Errorf("storage answered %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// splitPages cuts extracted text into passages. Text with form feeds has
// parts — a PDF's pages (pdftotext ends each with one), an EPUB's
// reading-order documents (processing separates them alike) — and each
// passage keeps its part's number. Parts longer than about passageRunes,
// and text without parts, are cut into passages of about passageRunes, at
// spaces; passages are numbered in reading order (N).
func splitPages(text string) []Page {
	text = strings.ToValidUTF8(text, "")
	text = strings.ReplaceAll(text, "\x00", "")
	var out []Page
	n := 0
	if strings.Contains(text, "\f") {
		for i, p := range strings.Split(text, "\f") {
			if strings.TrimSpace(p) != "" {
				for _, c := range chunks(p) {
					n++
					out = append(out, Page{N: n, Part: i + 1, Body: c})
				}
			}
		}
		return out
	}
	for _, c := range chunks(text) {
		n++
		out = append(out, Page{N: n, Body: c})
	}
	return out
}

const passageRunes = 1500

// chunks cuts text into pieces of about passageRunes at spaces, leaving
// out blank ones.
func chunks(text string) []string {
	var out []string
	for len(text) > 0 {
		cut := len(text)
		if utf8.RuneCountInString(text) > passageRunes {
			cut = 0
			for i := 0; i < passageRunes; i++ {
				_, size := utf8.DecodeRuneInString(text[cut:])
				cut += size
			}
			if sp := strings.LastIndexAny(text[:cut], " \n\t"); sp > cut/2 {
				cut = sp + 1
			}
		}
		if strings.TrimSpace(text[:cut]) != "" {
			out = append(out, text[:cut])
		}
		text = text[cut:]
	}
	return out
}

// runTextFetcher is a runner of the target's background group: it fetches
// queued text until stopped.
func (a *app) runTextFetcher(ctx context.Context, c textClient) error {
	t := time.NewTicker(a.cfg.TextPoll)
	defer t.Stop()
	for {
		a.fetchDue(ctx, c)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-a.wake:
		}
	}
}

func (a *app) fetchDue(ctx context.Context, c textClient) {
	for ctx.Err() == nil {
		jobs, err := a.store.DueTextJobs(ctx, a.now(), 8)
		if err != nil {
			if ctx.Err() == nil {
				a.log.WarnContext(ctx, "text jobs", slog.Any("error", err))
			}
			return
		}
		if len(jobs) == 0 {
			return
		}
		for _, j := range jobs {
			a.fetchOne(ctx, c, j)
		}
	}
}

func (a *app) fetchOne(ctx context.Context, c textClient, j TextJob) {
	log := a.log.With(slog.String("media_id", j.MediaID))
	text, err := c.fetch(ctx, j.MediaID, j.Name, a.cfg.TextMaxBytes)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		giveUp := j.Attempts+1 >= a.cfg.TextAttempts
		delay := min(time.Second<<min(j.Attempts, 6), time.Minute)
		if rerr := a.store.RetryTextJob(ctx, j, a.now().Add(delay), giveUp); rerr != nil {
			log.WarnContext(ctx, "text job", slog.Any("error", rerr))
		}
		if giveUp {
			a.m.textFetches.WithLabelValues("gave_up").Inc()
			log.WarnContext(ctx, "extracted text not fetched: gave up", slog.Any("error", err), slog.Int("attempts", j.Attempts+1))
		} else {
			a.m.textFetches.WithLabelValues("retried").Inc()
			log.DebugContext(ctx, "extracted text not fetched yet", slog.Any("error", err))
		}
		return
	}
	done, err := a.store.PutText(ctx, j, splitPages(text))
	if err != nil {
		if ctx.Err() == nil {
			log.WarnContext(ctx, "indexing extracted text", slog.Any("error", err))
			_ = a.store.RetryTextJob(ctx, j, a.now().Add(5*time.Second), j.Attempts+1 >= a.cfg.TextAttempts)
		}
		return
	}
	if !done {
		a.m.textFetches.WithLabelValues("stale").Inc()
		return
	}
	a.m.textFetches.WithLabelValues("indexed").Inc()
	a.m.indexLatency.WithLabelValues("text").Observe(a.now().Sub(j.EventTime).Seconds())
	log.DebugContext(ctx, "extracted text indexed", slog.Int("bytes", len(text)))
}
