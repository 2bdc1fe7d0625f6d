package feeds

import (
	"encoding/json"
	"net/url"
)

// OPDS 2.0: JSON feeds of Readium Web Publication Manifest publications.

const (
	opds2Type            = "application/opds+json"
	opds2PublicationType = "application/opds-publication+json"
)

type opds2LinkJSON struct {
	Href       string         `json:"href"`
	Type       string         `json:"type,omitempty"`
	Rel        string         `json:"rel,omitempty"`
	Title      string         `json:"title,omitempty"`
	Templated  bool           `json:"templated,omitempty"`
	Properties map[string]any `json:"properties,omitempty"`
}

type opds2FeedMetadataJSON struct {
	Title         string `json:"title"`
	Modified      string `json:"modified,omitempty"`
	ItemsPerPage  int    `json:"itemsPerPage,omitempty"`
	NumberOfItems *int   `json:"numberOfItems,omitempty"`
}

type opds2FacetJSON struct {
	Metadata opds2FeedMetadataJSON `json:"metadata"`
	Links    []opds2LinkJSON       `json:"links"`
}

type opds2ContributorJSON struct {
	Name       string          `json:"name"`
	Identifier string          `json:"identifier,omitempty"`
	Links      []opds2LinkJSON `json:"links,omitempty"`
}

type opds2SubjectJSON struct {
	Name string `json:"name"`
}

type opds2PubMetadataJSON struct {
	Type          string                 `json:"@type"`
	Identifier    string                 `json:"identifier"`
	Title         string                 `json:"title"`
	Author        []opds2ContributorJSON `json:"author,omitempty"`
	Language      string                 `json:"language,omitempty"`
	Published     string                 `json:"published,omitempty"`
	Modified      string                 `json:"modified,omitempty"`
	Description   string                 `json:"description,omitempty"`
	Subject       []opds2SubjectJSON     `json:"subject,omitempty"`
	NumberOfPages int                    `json:"numberOfPages,omitempty"`
}

type opds2PublicationJSON struct {
	Metadata opds2PubMetadataJSON `json:"metadata"`
	Links    []opds2LinkJSON      `json:"links"`
	Images   []opds2LinkJSON      `json:"images"`
}

type opds2FeedJSON struct {
	Metadata   opds2FeedMetadataJSON `json:"metadata"`
	Links      []opds2LinkJSON       `json:"links"`
	Facets     []opds2FacetJSON      `json:"facets,omitempty"`
	Navigation []opds2LinkJSON       `json:"navigation,omitempty"`
	// Publications is nil on navigation pages; acquisition pages list
	// theirs, an empty list included.
	Publications *[]opds2PublicationJSON `json:"publications,omitempty"`
}

func opds2Page(l links, p opdsPage) ([]byte, error) {
	f := opds2FeedJSON{Metadata: opds2FeedMetadataJSON{Title: p.title, Modified: rfc3339(p.updated)},
		Links: []opds2LinkJSON{
			{Rel: "self", Href: pageURL(l, opds2Root, p.path, url.Values{"kind": {p.params.Kind}, "q": {p.params.Query}, "page_token": {p.params.PageToken}}), Type: opds2Type},
			{Rel: "start", Href: l.abs(opds2Root + "/catalog"), Type: opds2Type, Title: "Alexandria"},
			{Rel: "search", Href: l.abs(opds2Root + "/search{?query}"), Type: opds2Type, Templated: true, Title: "Search"},
		}}
	if p.path != "/catalog" {
		f.Links = append(f.Links, opds2LinkJSON{Rel: "up", Href: l.abs(opds2Root + "/catalog"), Type: opds2Type})
	}
	if p.next != "" {
		f.Links = append(f.Links, opds2LinkJSON{Rel: "next", Type: opds2Type,
			Href: pageURL(l, opds2Root, p.path, url.Values{"kind": {p.params.Kind}, "q": {p.params.Query}, "page_token": {p.next}})})
	}
	if p.facets {
		f.Metadata.ItemsPerPage = len(p.items)
		facet := opds2FacetJSON{Metadata: opds2FeedMetadataJSON{Title: "Type"}}
		for _, fc := range facetChoices {
			link := opds2LinkJSON{Href: pageURL(l, opds2Root, p.path, url.Values{"kind": {fc.kind}, "q": {p.params.Query}}),
				Type: opds2Type, Title: fc.title}
			if fc.kind == p.params.Kind {
				link.Rel = "self"
			}
			facet.Links = append(facet.Links, link)
		}
		f.Facets = []opds2FacetJSON{facet}
	}
	for _, n := range p.nav {
		f.Navigation = append(f.Navigation, opds2LinkJSON{Href: l.abs(opds2Root + n.path), Type: opds2Type, Title: n.title,
			Rel: "subsection"})
	}
	if !p.navigation {
		pubs := make([]opds2PublicationJSON, 0, len(p.items))
		for _, it := range p.items {
			pubs = append(pubs, opds2Publication(l, it))
		}
		f.Publications = &pubs
	}
	b, err := json.MarshalIndent(f, "", "  ")
	return append(b, '\n'), err
}

func opds2Publication(l links, it item) opds2PublicationJSON {
	typ := "http://schema.org/Book"
	if it.Kind == "document" {
		typ = "http://schema.org/DigitalDocument"
	}
	md := opds2PubMetadataJSON{Type: typ, Identifier: itemGUID(it), Title: it.Title, Language: it.Language,
		Published: rfc3339(published(it.Media)), Modified: rfc3339(it.UpdatedAt), Description: it.Description}
	for _, a := range it.Authors {
		md.Author = append(md.Author, opds2ContributorJSON{Name: a.Name, Identifier: "urn:uuid:" + a.ID,
			Links: []opds2LinkJSON{{Href: l.abs(opds2Root + "/authors/" + a.ID), Type: opds2Type}}})
	}
	for _, t := range it.Tags {
		md.Subject = append(md.Subject, opds2SubjectJSON{Name: t})
	}
	if it.Content.Pages != nil {
		md.NumberOfPages = *it.Content.Pages
	}
	p := opds2PublicationJSON{Metadata: md, Links: []opds2LinkJSON{
		{Rel: "self", Href: l.abs(opds2Root + "/publications/" + it.ID), Type: opds2PublicationType},
		{Rel: relAcquisition, Href: l.content(it.ID), Type: mediaType(it.Content.ContentType), Title: "Download",
			Properties: map[string]any{"size": it.Content.Size}},
		{Rel: "alternate", Href: l.mediaPage(it.ID), Type: "text/html"},
	}}
	if d, ok := it.Derivative("cover"); ok {
		p.Images = append(p.Images, opds2LinkJSON{Href: l.derivative(it.ID, d.Name), Type: mediaType(d.ContentType), Rel: "cover"})
	}
	if d, ok := it.Derivative("thumbnail"); ok {
		p.Images = append(p.Images, opds2LinkJSON{Href: l.derivative(it.ID, d.Name), Type: mediaType(d.ContentType), Rel: "thumbnail"})
	}
	if len(p.Images) == 0 {
		// The specification wants an image for every publication.
		p.Images = []opds2LinkJSON{{Href: l.abs("/icon.svg"), Type: "image/svg+xml"}}
	}
	return p
}
