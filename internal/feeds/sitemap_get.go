package feeds

import (
	"context"
	"encoding/xml"
	"net/http"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// Sitemaps (https://www.sitemaps.org/protocol.html): /sitemap.xml is an
// index of /sitemaps/pages.xml (home and authors) and the media pages in
// parts of sitemapPart URLs each, /sitemaps/media.xml?from=<token>.

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

// sitemapPart is how many media pages one part lists (the protocol allows
// 50,000).
var sitemapPart = 10000

type sitemapIndexXML struct {
	XMLName  xml.Name        `xml:"sitemapindex"`
	NS       string          `xml:"xmlns,attr"`
	Sitemaps []sitemapLocXML `xml:"sitemap"`
}

type sitemapLocXML struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type urlSetXML struct {
	XMLName xml.Name        `xml:"urlset"`
	NS      string          `xml:"xmlns,attr"`
	URLs    []sitemapLocXML `xml:"url"`
}

// getSitemapIndex is GET /sitemap.xml.
func (s *Service) getSitemapIndex(w http.ResponseWriter, r *http.Request) {
	s.serveDoc(w, r, "sitemap", "sitemap-index", func(ctx context.Context, l links) (*rendered, error) {
		keys, err := s.store.SortKeys(ctx)
		if err != nil {
			return nil, err
		}
		idx := sitemapIndexXML{NS: sitemapNS, Sitemaps: []sitemapLocXML{{Loc: l.abs("/sitemaps/pages.xml")}}}
		for i := 0; i < len(keys); i += sitemapPart {
			loc := l.abs("/sitemaps/media.xml")
			if i > 0 {
				loc += "?from=" + httpx.EncodePageToken(struct {
					From string `json:"f"`
				}{keys[i]})
			}
			idx.Sitemaps = append(idx.Sitemaps, sitemapLocXML{Loc: loc})
		}
		b, err := marshalXML(idx)
		return newRendered(b, "application/xml; charset=utf-8", time.Unix(0, 0)), err
	})
}

// getSitemapPages is GET /sitemaps/pages.xml: the home page and every
// author's page.
func (s *Service) getSitemapPages(w http.ResponseWriter, r *http.Request) {
	s.serveDoc(w, r, "sitemap", "sitemap-pages", func(ctx context.Context, l links) (*rendered, error) {
		authors, err := s.store.ActiveAuthors(ctx)
		if err != nil {
			return nil, err
		}
		set := urlSetXML{NS: sitemapNS, URLs: []sitemapLocXML{{Loc: l.abs("/")}}}
		latest := time.Unix(0, 0)
		for _, a := range authors {
			set.URLs = append(set.URLs, sitemapLocXML{Loc: l.authorPage(a.ID), LastMod: rfc3339(a.UpdatedAt)})
			if a.UpdatedAt.After(latest) {
				latest = a.UpdatedAt
			}
		}
		b, err := marshalXML(set)
		return newRendered(b, "application/xml; charset=utf-8", latest), err
	})
}

// getSitemapMedia is GET /sitemaps/media.xml[?from=…]: one part of the
// media pages.
func (s *Service) getSitemapMedia(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("from")
	var pos struct {
		From string `json:"f"`
	}
	if token != "" {
		if err := httpx.DecodePageToken(token, &pos); err != nil || !strings.Contains(pos.From, "|") {
			httpx.WriteProblem(w, r, errs.InvalidField("query.from", "is not a sitemap part from this site"))
			return
		}
	}
	s.serveDoc(w, r, "sitemap", "sitemap-media|"+token, func(ctx context.Context, l links) (*rendered, error) {
		entries, err := s.store.SitemapPage(ctx, pos.From, sitemapPart)
		if err != nil {
			return nil, err
		}
		set := urlSetXML{NS: sitemapNS, URLs: []sitemapLocXML{}}
		latest := time.Unix(0, 0)
		for _, e := range entries {
			set.URLs = append(set.URLs, sitemapLocXML{Loc: l.mediaPage(e.ID), LastMod: rfc3339(e.UpdatedAt)})
			if e.UpdatedAt.After(latest) {
				latest = e.UpdatedAt
			}
		}
		b, err := marshalXML(set)
		return newRendered(b, "application/xml; charset=utf-8", latest), err
	})
}

// getRobots is GET /robots.txt: crawl the pages and feeds, not the API;
// the sitemap lists the pages.
func (s *Service) getRobots(w http.ResponseWriter, r *http.Request) {
	s.serveDoc(w, r, "robots", "robots", func(_ context.Context, l links) (*rendered, error) {
		body := "User-agent: *\n" +
			"Allow: /\n" +
			"Disallow: /v1/\n" +
			"Disallow: /koreader/\n" +
			"Disallow: /docs\n" +
			"Disallow: /openapi\n" +
			"\n" +
			"Sitemap: " + l.abs("/sitemap.xml") + "\n"
		return newRendered([]byte(body), "text/plain; charset=utf-8", time.Unix(0, 0)), nil
	})
}
