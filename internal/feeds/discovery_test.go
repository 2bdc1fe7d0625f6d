package feeds

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func TestOEmbed(t *testing.T) {
	x := newHarness(t, moduletest.Stores(t)[0])
	author, video, ep, book := newID(), newID(), newID(), newID()
	x.apply(eventAuthorCreated, authorPayload(author, "Vid <Maker>", 1))
	x.apply(eventMediaPublished, mediaPayload(video, "video", `A "quoted" <video>`, author, 1))
	x.apply(eventMediaPublished, mediaPayload(ep, "podcast", "Ep", author, 1))
	x.apply(eventMediaPublished, mediaPayload(book, "book", "Book", author, 1))
	q := func(id string, extra ...string) string {
		v := url.Values{"url": {x.url + "/media/" + id}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return "/oembed?" + v.Encode()
	}
	res, body := x.mustGet(q(video, "maxwidth", "640"))
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %s", ct)
	}
	var o map[string]any
	if err := json.Unmarshal([]byte(body), &o); err != nil {
		t.Fatal(err)
	}
	if o["version"] != "1.0" || o["type"] != "video" || o["title"] != `A "quoted" <video>` || o["author_name"] != "Vid <Maker>" ||
		o["width"] != 640.0 || o["height"] != 360.0 {
		t.Fatalf("oEmbed %v", o)
	}
	h := o["html"].(string)
	if !strings.Contains(h, `src="`+x.url+"/v1/media/"+video+`/content"`) || strings.Contains(h, `<video>"`) ||
		!strings.Contains(h, "&lt;video&gt;") {
		t.Fatalf("html not escaped or not pointing at the file: %s", h)
	}
	_, body = x.mustGet(q(ep, "format", "xml"))
	var ox struct {
		XMLName xml.Name `xml:"oembed"`
		Type    string   `xml:"type"`
		HTML    string   `xml:"html"`
	}
	if err := xml.Unmarshal([]byte(body), &ox); err != nil || ox.Type != "rich" || !strings.Contains(ox.HTML, "<audio") {
		t.Fatalf("XML oEmbed %v %+v", err, ox)
	}
	_, body = x.mustGet(q(book))
	if !strings.Contains(body, `"type":"link"`) {
		t.Fatalf("book oEmbed %s", body)
	}
	for path, status := range map[string]int{
		q(book, "format", "yaml"): http.StatusNotImplemented,
		q(newID()):                http.StatusNotFound,
		"/oembed?url=" + url.QueryEscape("https://elsewhere.example/media/"+book): http.StatusNotFound,
		"/oembed":                 http.StatusUnprocessableEntity,
		q(book, "maxwidth", "-3"): http.StatusUnprocessableEntity,
	} {
		if r, body := x.get(path); r.StatusCode != status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("GET %s: %d %s", path, r.StatusCode, body)
		}
	}
}

func TestSitemapAndRobots(t *testing.T) {
	x := newHarness(t, moduletest.Stores(t)[0])
	defer func(n int) { sitemapPart = n }(sitemapPart)
	sitemapPart = 2
	author := newID()
	x.apply(eventAuthorCreated, authorPayload(author, "Mapped", 1))
	ids := []string{newID(), newID(), newID()}
	for i, id := range ids {
		x.apply(eventMediaPublished, mediaPayload(id, "book", "Book", author, 1, withPublished(t0.Add(timeHours(i)))))
	}
	_, body := x.mustGet("/sitemap.xml")
	var idx struct {
		Locs []string `xml:"sitemap>loc"`
	}
	if err := xml.Unmarshal([]byte(body), &idx); err != nil || len(idx.Locs) != 3 {
		t.Fatalf("index %v %s", err, body)
	}
	seen := map[string]bool{}
	for _, loc := range idx.Locs {
		_, body := x.mustGet(strings.TrimPrefix(loc, x.url))
		var set struct {
			Locs []string `xml:"url>loc"`
		}
		if err := xml.Unmarshal([]byte(body), &set); err != nil {
			t.Fatal(err)
		}
		for _, l := range set.Locs {
			if seen[l] {
				t.Fatalf("%s listed twice", l)
			}
			seen[l] = true
		}
	}
	for _, id := range ids {
		if !seen[x.url+"/media/"+id] {
			t.Fatalf("media %s missing from the sitemap", id)
		}
	}
	if !seen[x.url+"/authors/"+author] || !seen[x.url+"/"] {
		t.Fatal("home or author page missing")
	}
	_, body = x.mustGet("/robots.txt")
	if !strings.Contains(body, "Sitemap: "+x.url+"/sitemap.xml") || !strings.Contains(body, "Disallow: /v1/") {
		t.Fatalf("robots.txt:\n%s", body)
	}
	if r, _ := x.get("/sitemaps/media.xml?from=bogus"); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad part: %d", r.StatusCode)
	}
}
