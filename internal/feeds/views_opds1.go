package feeds

import (
	"net/url"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
)

// OPDS 1.2: Atom feeds with the OPDS link relations and types.

const (
	opdsNS       = "http://opds-spec.org/2010/catalog"
	dctermsNS    = "http://purl.org/dc/terms/"
	openSearchNS = "http://a9.com/-/spec/opensearch/1.1/"
	threadNS     = "http://purl.org/syndication/thread/1.0"

	opds1Navigation  = "application/atom+xml;profile=opds-catalog;kind=navigation"
	opds1Acquisition = "application/atom+xml;profile=opds-catalog;kind=acquisition"

	relAcquisition = "http://opds-spec.org/acquisition/open-access"
	relImage       = "http://opds-spec.org/image"
	relThumbnail   = "http://opds-spec.org/image/thumbnail"
	relFacet       = "http://opds-spec.org/facet"
)

// isAcquisition tells which catalog pages list publications.
func isAcquisition(path string) bool {
	return path == "/new" || path == "/popular" || path == "/search" || strings.Count(path, "/") >= 2
}

// pageURL is the address of a page of the catalog rooted at root.
func pageURL(l links, root, path string, v url.Values) string {
	u := l.abs(root + path)
	for k, vs := range v {
		if len(vs) == 0 || vs[0] == "" {
			delete(v, k)
		}
	}
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

func opds1Page(l links, p opdsPage) ([]byte, error) {
	selfType := opds1Acquisition
	if p.navigation {
		selfType = opds1Navigation
	}
	f := atomFeedXML{NS: atomNS, NSOPDS: opdsNS, NSDC: dctermsNS, NSOS: openSearchNS, NSThr: threadNS,
		ID: p.id, Title: p.title, Updated: rfc3339(p.updated), Icon: l.abs("/icon.svg"),
		Author: &atomPersonXML{Name: "Alexandria", URI: l.abs("/")},
		Links: []atomLinkXML{
			{Rel: "self", Href: pageURL(l, opds1Root, p.path, url.Values{"kind": {p.params.Kind}, "q": {p.params.Query}, "page_token": {p.params.PageToken}}), Type: selfType},
			{Rel: "start", Href: l.abs(opds1Root + "/catalog"), Type: opds1Navigation, Title: "Alexandria"},
			{Rel: "search", Href: l.abs(opds1Root + "/search.xml"), Type: "application/opensearchdescription+xml", Title: "Search"},
		}}
	if p.path != "/catalog" {
		f.Links = append(f.Links, atomLinkXML{Rel: "up", Href: l.abs(opds1Root + "/catalog"), Type: opds1Navigation})
	}
	if p.next != "" {
		f.Links = append(f.Links, atomLinkXML{Rel: "next", Type: opds1Acquisition,
			Href: pageURL(l, opds1Root, p.path, url.Values{"kind": {p.params.Kind}, "q": {p.params.Query}, "page_token": {p.next}})})
	}
	if p.facets {
		for _, fc := range facetChoices {
			link := atomLinkXML{Rel: relFacet, Type: opds1Acquisition, Title: fc.title, FacetGroup: "Type",
				Href: pageURL(l, opds1Root, p.path, url.Values{"kind": {fc.kind}, "q": {p.params.Query}})}
			if fc.kind == p.params.Kind {
				link.ActiveFacet = "true"
			}
			f.Links = append(f.Links, link)
		}
		per := len(p.items)
		f.PerPage = &per
	}
	for _, n := range p.nav {
		typ := opds1Navigation
		if isAcquisition(n.path) {
			typ = opds1Acquisition
		}
		e := atomEntryXML{ID: n.id, Title: n.title, Updated: rfc3339(p.updated),
			Links: []atomLinkXML{{Rel: "subsection", Href: l.abs(opds1Root + n.path), Type: typ}}}
		if n.summary != "" {
			e.Content = &atomTextXML{Type: "text", Value: n.summary}
		}
		f.Entries = append(f.Entries, e)
	}
	for _, it := range p.items {
		f.Entries = append(f.Entries, opds1Entry(l, it))
	}
	return marshalXML(f)
}

func opds1Entry(l links, it item) atomEntryXML {
	e := atomEntryXML{ID: itemGUID(it), Title: it.Title, Updated: rfc3339(it.UpdatedAt), Published: rfc3339(published(it.Media)),
		Language: it.Language, Issued: published(it.Media).UTC().Format("2006-01-02"), Rights: it.License,
		Links: []atomLinkXML{{Rel: "alternate", Href: l.mediaPage(it.ID), Type: "text/html", Title: "Web page"}}}
	if it.Description != "" {
		e.Summary = &atomTextXML{Type: "text", Value: it.Description}
	}
	for _, a := range it.Authors {
		e.Authors = append(e.Authors, atomPersonXML{Name: a.Name, URI: l.abs(opds1Root + "/authors/" + a.ID)})
	}
	for _, t := range it.Tags {
		e.Categories = append(e.Categories, atomCategoryXML{Term: t, Label: t})
	}
	if d, ok := it.Derivative("cover"); ok {
		e.Links = append(e.Links, atomLinkXML{Rel: relImage, Href: l.derivative(it.ID, d.Name), Type: mediaType(d.ContentType)})
	}
	if d, ok := it.Derivative("thumbnail"); ok {
		e.Links = append(e.Links, atomLinkXML{Rel: relThumbnail, Href: l.derivative(it.ID, d.Name), Type: mediaType(d.ContentType)})
	} else if d, ok := it.Derivative("cover"); ok {
		e.Links = append(e.Links, atomLinkXML{Rel: relThumbnail, Href: l.derivative(it.ID, d.Name), Type: mediaType(d.ContentType)})
	}
	e.Links = append(e.Links, atomLinkXML{Rel: relAcquisition, Href: l.content(it.ID), Type: mediaType(it.Content.ContentType),
		Length: it.Content.Size, Title: "Download"})
	return e
}

// facetChoices are the kind facets of every acquisition page.
var facetChoices = []struct{ kind, title string }{
	{"", "All"}, {domain.KindBook, "Books"}, {domain.KindDocument, "Documents"},
}
