package feeds

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// oEmbed 1.0 (https://oembed.com) for the media pages, /media/{id}.

type oembedJSON struct {
	XMLName      xml.Name `json:"-" xml:"oembed"`
	Version      string   `json:"version" xml:"version"`
	Type         string   `json:"type" xml:"type"`
	Title        string   `json:"title" xml:"title"`
	AuthorName   string   `json:"author_name,omitempty" xml:"author_name,omitempty"`
	AuthorURL    string   `json:"author_url,omitempty" xml:"author_url,omitempty"`
	ProviderName string   `json:"provider_name" xml:"provider_name"`
	ProviderURL  string   `json:"provider_url" xml:"provider_url"`
	CacheAge     int      `json:"cache_age" xml:"cache_age"`
	HTML         string   `json:"html,omitempty" xml:"html,omitempty"`
	Width        int      `json:"width,omitempty" xml:"width,omitempty"`
	Height       int      `json:"height,omitempty" xml:"height,omitempty"`
}

// oembedParams are the request's parameters.
type oembedParams struct {
	id                  string
	format              string
	maxWidth, maxHeight int
}

func readOEmbed(r *http.Request, l links) (oembedParams, error) {
	q := r.URL.Query()
	p := oembedParams{format: q.Get("format")}
	var v errs.Validation
	if p.format == "" {
		p.format = "json"
	}
	raw := q.Get("url")
	u, err := url.Parse(raw)
	base, _ := url.Parse(l.base)
	switch {
	case raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https"):
		v.Add("query.url", "must be the absolute URL of a media page")
	case !strings.EqualFold(u.Host, base.Host):
		// Only this platform's pages are described.
		return p, errs.NotFoundf("not a page of this site: %s", u.Host)
	default:
		id, ok := strings.CutPrefix(strings.TrimSuffix(u.Path, "/"), "/media/")
		if _, err := uuid.Parse(id); !ok || err != nil {
			return p, errs.NotFoundf("not a media page: %s", u.Path)
		}
		p.id = id
	}
	for name, dst := range map[string]*int{"maxwidth": &p.maxWidth, "maxheight": &p.maxHeight} {
		if s := q.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 10000 {
				v.Add("query."+name, "must be a whole number of pixels from 1 to 10000")
			}
			*dst = n
		}
	}
	return p, v.Err()
}

// getOEmbed is GET /oembed?url=…[&format=json|xml][&maxwidth=][&maxheight=].
func (s *Service) getOEmbed(w http.ResponseWriter, r *http.Request) {
	l, err := s.links(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	p, err := readOEmbed(r, l)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	if p.format != "json" && p.format != "xml" {
		// oEmbed asks for 501 when the format is not offered.
		httpx.WriteProblem(w, r, &httpx.Problem{Type: httpx.ProblemTypeBase + "not-implemented", Status: http.StatusNotImplemented, Title: "Not Implemented",
			Detail: "format must be json or xml"})
		return
	}
	key := fmt.Sprintf("oembed|%s|%s|%d|%d", p.id, p.format, p.maxWidth, p.maxHeight)
	s.serveDoc(w, r, "oembed", key, func(ctx context.Context, l links) (*rendered, error) {
		items, err := s.app.itemsByIDs(ctx, []string{p.id})
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, errs.NotFoundf("media %s not found", p.id)
		}
		o := oembedFor(l, items[0], p.maxWidth, p.maxHeight)
		if p.format == "xml" {
			b, err := marshalXML(o)
			return newRendered(b, "text/xml; charset=utf-8", items[0].UpdatedAt), err
		}
		b, err := json.Marshal(o)
		return newRendered(b, "application/json", items[0].UpdatedAt), err
	})
}

// oembedFor describes an item: a video as a video player, a podcast as an
// audio player (rich), a book or document as a link.
func oembedFor(l links, it item, maxW, maxH int) oembedJSON {
	o := oembedJSON{Version: "1.0", Type: "link", Title: it.Title, ProviderName: "Alexandria", ProviderURL: l.abs("/"),
		CacheAge: int((time.Hour).Seconds())}
	if len(it.Authors) > 0 {
		o.AuthorName, o.AuthorURL = it.Authors[0].Name, l.authorPage(it.Authors[0].ID)
	}
	src := html.EscapeString(l.content(it.ID))
	title := html.EscapeString(it.Title)
	switch it.Kind {
	case domain.KindVideo:
		wd, ht := 640, 360
		if c := it.Content; c.Width != nil && c.Height != nil && *c.Width > 0 && *c.Height > 0 {
			wd, ht = *c.Width, *c.Height
		}
		wd, ht = fit(wd, ht, maxW, maxH)
		poster := ""
		if img := l.image(it.Media); img != "" {
			poster = ` poster="` + html.EscapeString(img) + `"`
		}
		o.Type, o.Width, o.Height = "video", wd, ht
		o.HTML = fmt.Sprintf(`<video controls preload="metadata" width="%d" height="%d" src="%s"%s title="%s"></video>`, wd, ht, src, poster, title)
	case domain.KindPodcast:
		wd, ht := fit(480, 54, maxW, maxH)
		o.Type, o.Width, o.Height = "rich", wd, ht
		o.HTML = fmt.Sprintf(`<audio controls preload="metadata" style="width:%dpx" src="%s" title="%s"></audio>`, wd, src, title)
	}
	return o
}

// fit scales w×h down to fit maxW×maxH (0: no bound), keeping the ratio.
func fit(w, h, maxW, maxH int) (int, int) {
	if maxW > 0 && w > maxW {
		h, w = h*maxW/w, maxW
	}
	if maxH > 0 && h > maxH {
		w, h = w*maxH/h, maxH
	}
	return max(w, 1), max(h, 1)
}
