package feeds

import (
	"encoding/xml"
	"time"
)

// The Atom (RFC 4287) documents: the new-items feeds and, with the OPDS
// extensions, the OPDS 1.2 catalogs.

const atomNS = "http://www.w3.org/2005/Atom"

type atomFeedXML struct {
	XMLName   xml.Name       `xml:"feed"`
	NS        string         `xml:"xmlns,attr"`
	NSOPDS    string         `xml:"xmlns:opds,attr,omitempty"`
	NSDC      string         `xml:"xmlns:dcterms,attr,omitempty"`
	NSOS      string         `xml:"xmlns:opensearch,attr,omitempty"`
	NSThr     string         `xml:"xmlns:thr,attr,omitempty"`
	Lang      string         `xml:"xml:lang,attr,omitempty"`
	ID        string         `xml:"id"`
	Title     string         `xml:"title"`
	Subtitle  string         `xml:"subtitle,omitempty"`
	Updated   string         `xml:"updated"`
	Icon      string         `xml:"icon,omitempty"`
	Author    *atomPersonXML `xml:"author,omitempty"`
	Links     []atomLinkXML  `xml:"link"`
	Total     *int           `xml:"opensearch:totalResults,omitempty"`
	PerPage   *int           `xml:"opensearch:itemsPerPage,omitempty"`
	Entries   []atomEntryXML `xml:"entry"`
	Generator *atomGenerator `xml:"generator,omitempty"`
}

type atomGenerator struct {
	URI   string `xml:"uri,attr,omitempty"`
	Value string `xml:",chardata"`
}

type atomPersonXML struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomLinkXML struct {
	Rel         string `xml:"rel,attr,omitempty"`
	Href        string `xml:"href,attr"`
	Type        string `xml:"type,attr,omitempty"`
	Title       string `xml:"title,attr,omitempty"`
	Length      int64  `xml:"length,attr,omitempty"`
	FacetGroup  string `xml:"opds:facetGroup,attr,omitempty"`
	ActiveFacet string `xml:"opds:activeFacet,attr,omitempty"`
	Count       int    `xml:"thr:count,attr,omitempty"`
}

type atomTextXML struct {
	Type  string `xml:"type,attr,omitempty"`
	Value string `xml:",chardata"`
}

type atomCategoryXML struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntryXML struct {
	ID         string            `xml:"id"`
	Title      string            `xml:"title"`
	Updated    string            `xml:"updated"`
	Published  string            `xml:"published,omitempty"`
	Authors    []atomPersonXML   `xml:"author"`
	Language   string            `xml:"dcterms:language,omitempty"`
	Issued     string            `xml:"dcterms:issued,omitempty"`
	Rights     string            `xml:"rights,omitempty"`
	Summary    *atomTextXML      `xml:"summary,omitempty"`
	Content    *atomTextXML      `xml:"content,omitempty"`
	Categories []atomCategoryXML `xml:"category"`
	Links      []atomLinkXML     `xml:"link"`
}

// atomFeed renders the new-items feed of items.
func atomFeed(l links, id, title, subtitle, self, alternate string, items []item, updated time.Time) ([]byte, error) {
	f := atomFeedXML{NS: atomNS, ID: id, Title: title, Subtitle: subtitle, Updated: rfc3339(updated),
		Generator: &atomGenerator{URI: l.base + "/", Value: "Alexandria"},
		Links:     []atomLinkXML{{Rel: "self", Href: self, Type: "application/atom+xml"}, {Rel: "alternate", Href: alternate, Type: "text/html"}}}
	for _, it := range items {
		f.Entries = append(f.Entries, atomEntry(l, it))
	}
	return marshalXML(f)
}

func atomEntry(l links, it item) atomEntryXML {
	e := atomEntryXML{ID: itemGUID(it), Title: it.Title, Updated: rfc3339(it.UpdatedAt), Published: rfc3339(published(it.Media)),
		Rights: it.License,
		Links:  []atomLinkXML{{Rel: "alternate", Href: l.mediaPage(it.ID), Type: "text/html"}}}
	if it.Description != "" {
		e.Summary = &atomTextXML{Type: "text", Value: it.Description}
	}
	for _, a := range it.Authors {
		e.Authors = append(e.Authors, atomPersonXML{Name: a.Name, URI: l.authorPage(a.ID)})
	}
	for _, t := range it.Tags {
		e.Categories = append(e.Categories, atomCategoryXML{Term: t})
	}
	if it.Content != nil {
		e.Links = append(e.Links, atomLinkXML{Rel: "enclosure", Href: l.content(it.ID), Type: mediaType(it.Content.ContentType), Length: it.Content.Size})
	}
	if img := l.image(it.Media); img != "" {
		d, _ := it.Image()
		e.Links = append(e.Links, atomLinkXML{Rel: "related", Href: img, Type: d.ContentType, Title: "Cover"})
	}
	return e
}

// marshalXML encodes v as a document with the XML declaration.
func marshalXML(v any) ([]byte, error) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}
