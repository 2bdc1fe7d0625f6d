package feeds

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
)

// The OPDS "popular" pages rank books and documents by analytics' popular
// list of the current week (GET /v1/popular?window=week). Analytics ranks
// change without any catalog event, so these pages stay in the cache for
// popularTTL at most; when analytics does not answer, or answers nothing
// feeds still lists, the pages are the newest list instead.

const (
	// popularTTL bounds how long a rendered popular page is served from
	// the cache.
	popularTTL = 60 * time.Second
	// popularTimeout bounds the call to analytics.
	popularTimeout = 2 * time.Second
	// popularAsk is how many ranked items are asked for (analytics' most).
	popularAsk = 100
)

// opdsPopular lists the week's most engaged books and documents in
// analytics' order, one page only; a page token (only the newest list's
// next link carries one) continues the newest list.
func (s *Service) opdsPopular(ctx context.Context, _ *http.Request, p opdsParams) (opdsPage, error) {
	const id, title = "urn:alexandria:opds:popular", "Popular"
	if p.PageToken == "" && s.cfg.AnalyticsURL != "" {
		page, err := s.popularRemote(ctx, p)
		switch {
		case err != nil:
			s.log.WarnContext(ctx, "analytics unavailable; popular lists the newest items", slog.Any("error", err))
		case len(page.items) > 0:
			page.id, page.title, page.ttl = id, title, popularTTL
			s.app.metrics.popular.WithLabelValues("analytics").Inc()
			return page, nil
		}
	}
	s.app.metrics.popular.WithLabelValues("newest").Inc()
	page, err := s.acquisition(ctx, id, title, mediaQuery{}, p)
	page.ttl = popularTTL
	return page, err
}

// popularRemote asks analytics for the week's ranking and keeps the items
// feeds lists (published books and documents), in analytics' order.
func (s *Service) popularRemote(ctx context.Context, p opdsParams) (opdsPage, error) {
	q := url.Values{"window": {"week"}, "limit": {fmt.Sprint(popularAsk)}}
	if p.Kind != "" {
		q.Set("kind", p.Kind)
	}
	ctx, cancel := context.WithTimeout(ctx, s.analyticsTimeout)
	defer cancel()
	u := strings.TrimRight(s.cfg.AnalyticsURL, "/") + "/v1/popular?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil) //nolint:gosec // the host is configuration
	if err != nil {
		return opdsPage{}, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := s.client.Do(req)
	if err != nil {
		return opdsPage{}, err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return opdsPage{}, fmt.Errorf("analytics answered %d", res.StatusCode)
	}
	var out struct {
		Items []struct {
			MediaID string `json:"media_id"`
		} `json:"items"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&out); err != nil {
		return opdsPage{}, fmt.Errorf("analytics answer: %w", err)
	}
	ids := make([]string, 0, len(out.Items))
	for _, it := range out.Items {
		ids = append(ids, it.MediaID)
	}
	items, err := s.app.itemsByIDs(ctx, ids)
	if err != nil {
		return opdsPage{}, err
	}
	kept := make([]item, 0, len(items))
	for _, it := range items {
		if (it.Kind == domain.KindBook || it.Kind == domain.KindDocument) && (p.Kind == "" || it.Kind == p.Kind) {
			kept = append(kept, it)
		}
	}
	if len(kept) > s.cfg.PageSize {
		kept = kept[:s.cfg.PageSize]
	}
	return opdsPage{items: kept, facets: true, updated: newest(kept, time.Unix(0, 0))}, nil
}
