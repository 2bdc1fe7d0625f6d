package feeds

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// The OPDS catalogs: 1.2 (Atom) under /opds/v1.2 and 2.0 (JSON) under
// /opds/v2, the same pages in both. They list books and documents.

const (
	opds1Root = "/opds/v1.2"
	opds2Root = "/opds/v2"
)

// readingKinds are the kinds OPDS catalogs carry.
var readingKinds = []string{domain.KindBook, domain.KindDocument}

// opdsParams are a page request's query parameters.
type opdsParams struct {
	// Kind is the active facet: book, document or "" (both).
	Kind      string
	PageToken string
	Query     string
	// after is the decoded page token.
	after string
}

func (p opdsParams) key() string {
	return url.Values{"kind": {p.Kind}, "page_token": {p.PageToken}, "q": {p.Query}}.Encode()
}

func readOPDSParams(r *http.Request) (opdsParams, error) {
	q := r.URL.Query()
	p := opdsParams{Kind: q.Get("kind"), PageToken: q.Get("page_token"), Query: q.Get("q")}
	if p.Query == "" {
		p.Query = q.Get("query")
	}
	var v errs.Validation
	v.Check(p.Kind == "" || p.Kind == domain.KindBook || p.Kind == domain.KindDocument, "query.kind", "must be book or document")
	v.Check(len(p.Query) <= 200, "query.q", "must be at most 200 characters")
	if msg := httpx.TextProblem(p.Query, false); msg != "" {
		v.Add("query.q", "%s", msg)
	}
	if p.PageToken != "" {
		var pos struct {
			After string `json:"a"`
		}
		if err := httpx.DecodePageToken(p.PageToken, &pos); err != nil {
			return p, err
		}
		p.after = pos.After
	}
	return p, v.Err()
}

// navEntry is one entry of a navigation feed.
type navEntry struct {
	id, title, summary string
	// path is under the version's root.
	path string
}

// opdsPage is one catalog page, rendered as OPDS 1.2 or 2.0.
type opdsPage struct {
	navigation bool
	id, title  string
	// path is under the version's root; params its query.
	path    string
	params  opdsParams
	nav     []navEntry
	items   []item
	next    string // page token of the next page, "" on the last
	facets  bool
	updated time.Time
	// ttl, when set, bounds how long the rendered page stays cached.
	ttl time.Duration
}

// rendered wraps the page's body, with its cache lifetime.
func (p opdsPage) rendered(body []byte, contentType string) *rendered {
	doc := newRendered(body, contentType, p.updated)
	if p.ttl > 0 {
		doc.expires = time.Now().Add(p.ttl)
	}
	return doc
}

type opdsRoute func(ctx context.Context, r *http.Request, p opdsParams) (opdsPage, error)

// getOPDS serves one catalog page in version 1 (Atom) or 2 (JSON).
func (s *Service) getOPDS(version int, path string, route opdsRoute) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := readOPDSParams(r)
		if err != nil {
			httpx.WriteProblem(w, r, err)
			return
		}
		format := "opds1"
		if version == 2 {
			format = "opds2"
		}
		key := format + "|" + r.URL.Path + "?" + p.key()
		s.serveDoc(w, r, format, key, func(ctx context.Context, l links) (*rendered, error) {
			page, err := route(ctx, r, p)
			if err != nil {
				return nil, err
			}
			if page.path == "" {
				page.path = path
			}
			page.params = p
			if version == 2 {
				b, err := opds2Page(l, page)
				return page.rendered(b, "application/opds+json"), err
			}
			b, err := opds1Page(l, page)
			ct := "application/atom+xml;profile=opds-catalog;kind=acquisition"
			if page.navigation {
				ct = "application/atom+xml;profile=opds-catalog;kind=navigation"
			}
			return page.rendered(b, ct), err
		})
	}
}

func (s *Service) registerOPDS(mux *http.ServeMux) {
	for _, v := range []struct {
		n    int
		root string
	}{{1, opds1Root}, {2, opds2Root}} {
		mux.HandleFunc("GET "+v.root+"/catalog", s.guard(s.getOPDS(v.n, "/catalog", s.opdsRoot)))
		mux.HandleFunc("GET "+v.root+"/new", s.guard(s.getOPDS(v.n, "/new", s.opdsNew("new", "New"))))
		mux.HandleFunc("GET "+v.root+"/popular", s.guard(s.getOPDS(v.n, "/popular", s.opdsPopular)))
		mux.HandleFunc("GET "+v.root+"/categories", s.guard(s.getOPDS(v.n, "/categories", s.opdsCategories)))
		mux.HandleFunc("GET "+v.root+"/categories/{id}", s.guard(s.getOPDS(v.n, "", s.opdsCategory)))
		mux.HandleFunc("GET "+v.root+"/authors", s.guard(s.getOPDS(v.n, "/authors", s.opdsAuthors)))
		mux.HandleFunc("GET "+v.root+"/authors/{id}", s.guard(s.getOPDS(v.n, "", s.opdsAuthor)))
		mux.HandleFunc("GET "+v.root+"/languages", s.guard(s.getOPDS(v.n, "/languages", s.opdsLanguages)))
		mux.HandleFunc("GET "+v.root+"/languages/{lang}", s.guard(s.getOPDS(v.n, "", s.opdsLanguage)))
		mux.HandleFunc("GET "+v.root+"/search", s.guard(s.getOPDS(v.n, "/search", s.opdsSearch)))
	}
	mux.HandleFunc("GET "+opds1Root+"/search.xml", s.guard(s.getOpenSearch))
	mux.HandleFunc("GET "+opds2Root+"/publications/{id}", s.guard(s.getPublication))
}

func (s *Service) opdsRoot(context.Context, *http.Request, opdsParams) (opdsPage, error) {
	return opdsPage{navigation: true, id: "urn:alexandria:opds:catalog", title: "Alexandria", updated: time.Unix(0, 0),
		nav: []navEntry{
			{id: "urn:alexandria:opds:new", title: "New", summary: "The latest books and documents", path: "/new"},
			{id: "urn:alexandria:opds:popular", title: "Popular", summary: "Most read this week (newest first until reading counts are collected)", path: "/popular"},
			{id: "urn:alexandria:opds:categories", title: "By category", summary: "Books and documents by subject", path: "/categories"},
			{id: "urn:alexandria:opds:authors", title: "By author", summary: "Books and documents by author", path: "/authors"},
			{id: "urn:alexandria:opds:languages", title: "By language", summary: "Books and documents by language", path: "/languages"},
		}}, nil
}

// acquisition lists one page of q's items, newest first.
func (s *Service) acquisition(ctx context.Context, id, title string, q mediaQuery, p opdsParams) (opdsPage, error) {
	q.Kinds = readingKinds
	if p.Kind != "" {
		q.Kinds = []string{p.Kind}
	}
	q.After, q.Limit = p.after, s.cfg.PageSize+1
	items, err := s.app.listItems(ctx, q)
	if err != nil {
		return opdsPage{}, err
	}
	page := opdsPage{id: id, title: title, facets: true}
	if len(items) > s.cfg.PageSize {
		items = items[:s.cfg.PageSize]
		last := items[len(items)-1]
		page.next = httpx.EncodePageToken(struct {
			After string `json:"a"`
		}{last.SortKey()})
	}
	page.items = items
	page.updated = newest(items, time.Unix(0, 0))
	return page, nil
}

// opdsNew lists the newest items.
func (s *Service) opdsNew(name, title string) opdsRoute {
	return func(ctx context.Context, _ *http.Request, p opdsParams) (opdsPage, error) {
		return s.acquisition(ctx, "urn:alexandria:opds:"+name, title, mediaQuery{}, p)
	}
}

func (s *Service) opdsCategories(ctx context.Context, _ *http.Request, _ opdsParams) (opdsPage, error) {
	cs, err := s.store.Categories(ctx)
	if err != nil {
		return opdsPage{}, err
	}
	page := opdsPage{navigation: true, id: "urn:alexandria:opds:categories", title: "By category", updated: time.Unix(0, 0)}
	for _, c := range cs {
		page.nav = append(page.nav, navEntry{id: "urn:uuid:" + c.ID, title: c.Name, summary: c.Description, path: "/categories/" + c.ID})
		if c.UpdatedAt.After(page.updated) {
			page.updated = c.UpdatedAt
		}
	}
	return page, nil
}

func (s *Service) opdsCategory(ctx context.Context, r *http.Request, p opdsParams) (opdsPage, error) {
	id := r.PathValue("id")
	if _, err := uuid.Parse(id); err != nil {
		return opdsPage{}, errs.InvalidField("path.id", "must be a category ID (UUID)")
	}
	c, ok, err := s.app.category(ctx, id, true)
	if err != nil {
		return opdsPage{}, err
	}
	if !ok {
		return opdsPage{}, errs.NotFoundf("category %s not found", id)
	}
	page, err := s.acquisition(ctx, "urn:uuid:"+c.ID, c.Name, mediaQuery{CategoryID: c.ID}, p)
	page.path = "/categories/" + c.ID
	return page, err
}

func (s *Service) opdsAuthors(ctx context.Context, _ *http.Request, _ opdsParams) (opdsPage, error) {
	as, err := s.store.ListAuthors(ctx, readingKinds, 1000)
	if err != nil {
		return opdsPage{}, err
	}
	page := opdsPage{navigation: true, id: "urn:alexandria:opds:authors", title: "By author", updated: time.Unix(0, 0)}
	for _, a := range as {
		page.nav = append(page.nav, navEntry{id: "urn:uuid:" + a.ID, title: a.Name, summary: a.Bio, path: "/authors/" + a.ID})
		if a.UpdatedAt.After(page.updated) {
			page.updated = a.UpdatedAt
		}
	}
	return page, nil
}

func (s *Service) opdsAuthor(ctx context.Context, r *http.Request, p opdsParams) (opdsPage, error) {
	id := r.PathValue("id")
	if _, err := uuid.Parse(id); err != nil {
		return opdsPage{}, errs.InvalidField("path.id", "must be an author ID (UUID)")
	}
	a, ok, err := s.app.author(ctx, id)
	if err != nil {
		return opdsPage{}, err
	}
	if !ok {
		return opdsPage{}, errs.NotFoundf("author %s not found", id)
	}
	page, err := s.acquisition(ctx, "urn:uuid:"+a.ID, a.Name, mediaQuery{AuthorID: a.ID}, p)
	page.path = "/authors/" + a.ID
	return page, err
}

func (s *Service) opdsLanguages(ctx context.Context, _ *http.Request, _ opdsParams) (opdsPage, error) {
	langs, err := s.store.Languages(ctx, readingKinds)
	if err != nil {
		return opdsPage{}, err
	}
	page := opdsPage{navigation: true, id: "urn:alexandria:opds:languages", title: "By language", updated: time.Unix(0, 0)}
	for _, l := range langs {
		page.nav = append(page.nav, navEntry{id: "urn:alexandria:opds:language:" + l, title: languageName(l), path: "/languages/" + url.PathEscape(l)})
	}
	return page, nil
}

func (s *Service) opdsLanguage(ctx context.Context, r *http.Request, p opdsParams) (opdsPage, error) {
	tag, err := language.Parse(r.PathValue("lang"))
	if err != nil {
		return opdsPage{}, errs.InvalidField("path.lang", "must be a BCP 47 language tag")
	}
	l := tag.String()
	page, err := s.acquisition(ctx, "urn:alexandria:opds:language:"+l, languageName(l), mediaQuery{Language: l}, p)
	page.path = "/languages/" + url.PathEscape(l)
	return page, err
}

// languageName is a tag's name in English, or the tag.
func languageName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if b, conf := t.Base(); conf != language.No {
		if n := englishName(b); n != "" {
			return n
		}
	}
	return tag
}

// getPublication is GET /opds/v2/publications/{id}: one book or document
// as an OPDS 2.0 publication.
func (s *Service) getPublication(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := uuid.Parse(id); err != nil {
		httpx.WriteProblem(w, r, errs.InvalidField("path.id", "must be a media ID (UUID)"))
		return
	}
	s.serveDoc(w, r, "opds2", "publication/"+id, func(ctx context.Context, l links) (*rendered, error) {
		items, err := s.app.itemsByIDs(ctx, []string{id})
		if err != nil {
			return nil, err
		}
		if len(items) == 0 || (items[0].Kind != domain.KindBook && items[0].Kind != domain.KindDocument) {
			return nil, errs.NotFoundf("publication %s not found", id)
		}
		b, err := json.MarshalIndent(opds2Publication(l, items[0]), "", "  ")
		return newRendered(append(b, '\n'), opds2PublicationType, items[0].UpdatedAt), err
	})
}
