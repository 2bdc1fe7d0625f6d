package feeds

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// opds2Schema compiles the OPDS 2.0 feed schema the repository ships.
func opds2Schema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	dir := filepath.Join("..", "..", "api", "opds", "v2")
	for _, f := range []string{"link.schema.json", "publication.schema.json", "feed.schema.json"} {
		raw, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(raw)
		_ = raw.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := c.AddResource("https://alexandria-platform.github.io/alexandria/api/opds/v2/"+f, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile("https://alexandria-platform.github.io/alexandria/api/opds/v2/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, path, body string) map[string]any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("%s does not follow the OPDS 2.0 schema: %v\n%s", path, err, body)
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(body), &m)
	return m
}

// opdsWorld is a catalog of two authors' books and documents (and a
// podcast, which OPDS leaves out).
type opdsWorld struct {
	author, cat, book1, book2, doc, podcast string
}

func seedOPDS(x *harness) opdsWorld {
	w := opdsWorld{author: newID(), cat: newID(), book1: newID(), book2: newID(), doc: newID(), podcast: newID()}
	x.apply(eventAuthorCreated, authorPayload(w.author, "Ursula", 1))
	x.apply(eventCategoryCreated, categoryPayload(w.cat, "Fiction", "fiction", 1))
	x.apply(eventMediaPublished, mediaPayload(w.book1, "book", "The Dispossessed", w.author, 1, withCategories(w.cat)))
	x.apply(eventMediaPublished, mediaPayload(w.book2, "book", "The Lathe of Heaven", w.author, 1, withCategories(w.cat),
		withPublished(t0.Add(2*time.Hour))))
	doc := mediaPayload(w.doc, "document", "Notes on Craft", w.author, 1, withPublished(t0.Add(3*time.Hour)))
	doc["content"] = map[string]any{"size": 777, "sha256": strings.Repeat("01", 32), "content_type": "application/pdf", "pages": 3}
	doc["language"] = "fr"
	x.apply(eventMediaPublished, doc)
	x.apply(eventMediaPublished, mediaPayload(w.podcast, "podcast", "An episode", w.author, 1))
	return w
}

func TestOPDS2FollowsItsSchema(t *testing.T) {
	for _, st := range moduletest.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			x := newHarness(t, st, func(c *Config) { c.PageSize = 2 })
			w := seedOPDS(x)
			feed := opds2Schema(t, "feed.schema.json")
			_, body := x.mustGet("/opds/v2/catalog")
			root := validate(t, feed, "catalog", body)
			nav := root["navigation"].([]any)
			if len(nav) != 5 {
				t.Fatalf("root navigation has %d entries", len(nav))
			}
			// Every navigation target answers and follows the schema.
			for _, n := range nav {
				href := n.(map[string]any)["href"].(string)
				res, body := x.mustGet(strings.TrimPrefix(href, x.url))
				if ct := res.Header.Get("Content-Type"); ct != "application/opds+json" {
					t.Fatalf("%s: Content-Type %s", href, ct)
				}
				validate(t, feed, href, body)
			}
			// New: newest first, two per page, then a next link to the rest.
			_, body = x.mustGet("/opds/v2/new")
			page := validate(t, feed, "new", body)
			pubs := page["publications"].([]any)
			if len(pubs) != 2 || title(pubs[0]) != "Notes on Craft" || title(pubs[1]) != "The Lathe of Heaven" {
				t.Fatalf("first page %v", titles(pubs))
			}
			next := link(page["links"], "next")
			if next == "" {
				t.Fatal("no next link")
			}
			_, body = x.mustGet(strings.TrimPrefix(next, x.url))
			page = validate(t, feed, "new page 2", body)
			pubs = page["publications"].([]any)
			if len(pubs) != 1 || title(pubs[0]) != "The Dispossessed" || link(page["links"], "next") != "" {
				t.Fatalf("second page %v", titles(pubs))
			}
			acq := pubs[0].(map[string]any)["links"].([]any)[1].(map[string]any)
			if acq["rel"] != relAcquisition || acq["type"] != "application/epub+zip" || acq["href"] != x.url+"/v1/media/"+w.book1+"/content" {
				t.Fatalf("acquisition link %v", acq)
			}
			// Facets narrow by kind.
			_, body = x.mustGet("/opds/v2/new?kind=document")
			page = validate(t, feed, "documents", body)
			if got := titles(page["publications"].([]any)); len(got) != 1 || got[0] != "Notes on Craft" {
				t.Fatalf("document facet %v", got)
			}
			// By author, category, language; a publication alone.
			for path, want := range map[string]int{"/opds/v2/authors/" + w.author: 2, "/opds/v2/categories/" + w.cat: 2,
				"/opds/v2/languages/fr": 1, "/opds/v2/search?query=lathe": 1} {
				_, body := x.mustGet(path)
				if got := validate(t, feed, path, body)["publications"].([]any); len(got) != want {
					t.Fatalf("%s: %d publications, want %d", path, len(got), want)
				}
			}
			_, body = x.mustGet("/opds/v2/publications/" + w.doc)
			validate(t, opds2Schema(t, "publication.schema.json"), "publication", body)
			if r, _ := x.get("/opds/v2/publications/" + w.podcast); r.StatusCode != http.StatusNotFound {
				t.Fatalf("a podcast as a publication: %d", r.StatusCode)
			}
			if r, _ := x.get("/opds/v2/new?kind=podcast"); r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("bad facet: %d", r.StatusCode)
			}
			if r, _ := x.get("/opds/v2/new?page_token=nonsense!"); r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("bad page token: %d", r.StatusCode)
			}
		})
	}
}

func title(p any) string {
	return p.(map[string]any)["metadata"].(map[string]any)["title"].(string)
}

func titles(ps []any) []string {
	var out []string
	for _, p := range ps {
		out = append(out, title(p))
	}
	return out
}

func link(ls any, rel string) string {
	for _, l := range ls.([]any) {
		m := l.(map[string]any)
		if m["rel"] == rel {
			return m["href"].(string)
		}
	}
	return ""
}

func TestOPDS1Catalog(t *testing.T) {
	x := newHarness(t, moduletest.Stores(t)[0], func(c *Config) { c.PageSize = 2 })
	w := seedOPDS(x)
	res, body := x.mustGet("/opds/v1.2/catalog")
	if ct := res.Header.Get("Content-Type"); ct != opds1Navigation {
		t.Fatalf("Content-Type %s", ct)
	}
	root := parse(t, body)
	if root.FeedType != "atom" || len(root.Items) != 5 {
		t.Fatalf("root: %s with %d entries", root.FeedType, len(root.Items))
	}
	// Navigate: root → by author → the author's acquisition feed.
	authors := follow(t, x, body, "By author")
	if len(authors.Items) != 1 || authors.Items[0].Title != "Ursula" {
		t.Fatalf("authors %+v", authors.Items)
	}
	_, body = x.mustGet("/opds/v1.2/authors/" + w.author)
	acq := parse(t, body)
	if len(acq.Items) != 2 {
		t.Fatalf("author page has %d entries", len(acq.Items))
	}
	doc := acq.Items[0]
	if doc.GUID != "urn:uuid:"+w.doc && doc.Title != "Notes on Craft" {
		t.Fatalf("first entry %+v", doc)
	}
	var found bool
	for _, l := range entryLinks(t, body, 0) {
		if l.Rel == relAcquisition {
			found = true
			if l.Type != "application/pdf" || l.Length != "777" || l.Href != x.url+"/v1/media/"+w.doc+"/content" {
				t.Fatalf("acquisition link %+v", l)
			}
		}
	}
	if !found {
		t.Fatal("no acquisition link")
	}
	if !strings.Contains(body, `rel="next"`) || !strings.Contains(body, `opds:facetGroup="Type"`) ||
		!strings.Contains(body, `rel="`+relImage+`"`) {
		t.Fatalf("pagination, facets or covers missing:\n%s", body)
	}
	// OpenSearch description, and the search it points at.
	_, body = x.mustGet("/opds/v1.2/search.xml")
	var osd struct {
		URLs []struct {
			Template string `xml:"template,attr"`
		} `xml:"Url"`
	}
	if err := xml.Unmarshal([]byte(body), &osd); err != nil || len(osd.URLs) != 1 {
		t.Fatalf("OpenSearch description: %v %s", err, body)
	}
	u := strings.Replace(strings.TrimPrefix(osd.URLs[0].Template, x.url), "{searchTerms}", "dispossessed", 1)
	_, body = x.mustGet(u)
	if f := parse(t, body); len(f.Items) != 1 || f.Items[0].Title != "The Dispossessed" {
		t.Fatalf("search found %d", len(f.Items))
	}
}

type atomLink struct {
	Rel    string `xml:"rel,attr"`
	Href   string `xml:"href,attr"`
	Type   string `xml:"type,attr"`
	Length string `xml:"length,attr"`
}

func entryLinks(t *testing.T, body string, i int) []atomLink {
	var f struct {
		Entries []struct {
			Links []atomLink `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	return f.Entries[i].Links
}

// follow opens the subsection link of the navigation entry titled title.
func follow(t *testing.T, x *harness, body, title string) *gofeed.Feed {
	t.Helper()
	var f struct {
		Entries []struct {
			Title string     `xml:"title"`
			Links []atomLink `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	for _, e := range f.Entries {
		if e.Title == title && len(e.Links) > 0 && e.Links[0].Rel == "subsection" {
			_, body := x.mustGet(strings.TrimPrefix(e.Links[0].Href, x.url))
			return parse(t, body)
		}
	}
	t.Fatalf("no entry %q", title)
	return nil
}

func TestOPDSSearchThroughTheSearchTarget(t *testing.T) {
	var asked string
	search := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = r.URL.Query().Get("q")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"items": []any{map[string]any{"media": map[string]any{"id": searchHit}}}, "total": 1})
	}))
	t.Cleanup(search.Close)
	x := newHarness(t, moduletest.Stores(t)[0], func(c *Config) { c.SearchURL = search.URL })
	w := seedOPDS(x)
	searchHit = w.book2
	_, body := x.mustGet("/opds/v2/search?query=dreams")
	page := validate(t, opds2Schema(t, "feed.schema.json"), "search", body)
	if asked != "dreams" || len(page["publications"].([]any)) != 1 || title(page["publications"].([]any)[0]) != "The Lathe of Heaven" {
		t.Fatalf("search asked %q, got %v", asked, titles(page["publications"].([]any)))
	}
}

var searchHit string
