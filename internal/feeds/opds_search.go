package feeds

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

func englishName(b language.Base) string { return display.English.Languages().Name(b) }

// opdsSearch answers a catalog search: through the search target's
// GET /v1/search when feeds.search_url is set, else by a case-insensitive
// title match in the read model. Either way only listed books and
// documents are returned.
func (s *Service) opdsSearch(ctx context.Context, _ *http.Request, p opdsParams) (opdsPage, error) {
	title := "Search: " + p.Query
	if p.Query == "" {
		return opdsPage{id: "urn:alexandria:opds:search", title: "Search", updated: time.Unix(0, 0), facets: true}, nil
	}
	if s.cfg.SearchURL != "" {
		page, err := s.searchRemote(ctx, p)
		if err == nil {
			page.id, page.title = "urn:alexandria:opds:search:"+url.QueryEscape(p.Query), title
			return page, nil
		}
		s.log.WarnContext(ctx, "search target unavailable; matching titles instead", slog.Any("error", err))
	}
	return s.acquisition(ctx, "urn:alexandria:opds:search:"+url.QueryEscape(p.Query), title, mediaQuery{TitleContains: p.Query}, p)
}

// searchRemote asks the search target for one page of results.
func (s *Service) searchRemote(ctx context.Context, p opdsParams) (opdsPage, error) {
	q := url.Values{"q": {p.Query}, "page_size": {fmt.Sprint(s.cfg.PageSize)}}
	if p.Kind != "" {
		q.Set("kind", p.Kind)
	}
	if p.PageToken != "" {
		q.Set("page_token", p.after)
	}
	u := strings.TrimRight(s.cfg.SearchURL, "/") + "/v1/search?" + q.Encode()
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
		return opdsPage{}, fmt.Errorf("search answered %d", res.StatusCode)
	}
	var out struct {
		Items []struct {
			Media struct {
				ID string `json:"id"`
			} `json:"media"`
		} `json:"items"`
		NextPageToken string `json:"next_page_token"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 4<<20)).Decode(&out); err != nil {
		return opdsPage{}, fmt.Errorf("search answer: %w", err)
	}
	ids := make([]string, 0, len(out.Items))
	for _, it := range out.Items {
		ids = append(ids, it.Media.ID)
	}
	items, err := s.app.itemsByIDs(ctx, ids)
	if err != nil {
		return opdsPage{}, err
	}
	kept := items[:0]
	for _, it := range items {
		if it.Kind == "book" || it.Kind == "document" {
			kept = append(kept, it)
		}
	}
	page := opdsPage{items: kept, facets: true, updated: newest(kept, time.Unix(0, 0))}
	if out.NextPageToken != "" {
		// The search target's own token travels inside ours.
		page.next = httpx.EncodePageToken(struct {
			After string `json:"a"`
		}{out.NextPageToken})
	}
	return page, nil
}

// openSearchXML is an OpenSearch 1.1 description document.
type openSearchXML struct {
	XMLName     xml.Name         `xml:"OpenSearchDescription"`
	NS          string           `xml:"xmlns,attr"`
	ShortName   string           `xml:"ShortName"`
	Description string           `xml:"Description"`
	Encoding    string           `xml:"InputEncoding"`
	URLs        []openSearchURLX `xml:"Url"`
}

type openSearchURLX struct {
	Type     string `xml:"type,attr"`
	Template string `xml:"template,attr"`
}

// getOpenSearch is GET /opds/v1.2/search.xml.
func (s *Service) getOpenSearch(w http.ResponseWriter, r *http.Request) {
	s.serveDoc(w, r, "opensearch", "opensearch", func(_ context.Context, l links) (*rendered, error) {
		d := openSearchXML{NS: "http://a9.com/-/spec/opensearch/1.1/", ShortName: "Alexandria",
			Description: "Search Alexandria's books and documents", Encoding: "UTF-8",
			URLs: []openSearchURLX{{Type: "application/atom+xml;profile=opds-catalog;kind=acquisition",
				Template: l.abs(opds1Root + "/search?q={searchTerms}")}}}
		b, err := marshalXML(d)
		return newRendered(b, "application/opensearchdescription+xml", time.Unix(0, 0)), err
	})
}
