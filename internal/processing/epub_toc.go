package processing

import (
	"bytes"
	"encoding/xml"
	"net/url"
	"path"
	"strings"
)

// The table of contents of an EPUB, as chapters: EPUB 3's navigation
// document (the nav of epub:type "toc", else the first nav), else EPUB 2's
// NCX (the spine's toc). Entries are flattened depth first; each keeps its
// title and where it points (the entry in the book and its #fragment). A
// table of contents that cannot be read gives no chapters: it never fails
// the book.

// tocItem is what the table of contents needs of the manifest.
type tocItem struct{ href, mediaType, properties, id string }

// epubTOC finds and reads the table of contents.
func (a *archive) epubTOC(raw []byte, base string, items []tocItem) []chapter {
	for _, it := range items {
		if hasToken(it.properties, "nav") {
			if name, ok := resolve(base, it.href); ok {
				if doc, err := a.read(name, maxEPUBMetaBytes); err == nil {
					if cs := navChapters(doc, path.Dir(name)); len(cs) > 0 {
						return cs
					}
				}
			}
		}
	}
	var spine struct {
		Spine struct {
			TOC string `xml:"toc,attr"`
		} `xml:"spine"`
	}
	if xml.Unmarshal(raw, &spine) != nil || spine.Spine.TOC == "" {
		return nil
	}
	for _, it := range items {
		if it.id != spine.Spine.TOC {
			continue
		}
		name, ok := resolve(base, it.href)
		if !ok {
			return nil
		}
		doc, err := a.read(name, maxEPUBMetaBytes)
		if err != nil {
			return nil
		}
		return ncxChapters(doc, path.Dir(name))
	}
	return nil
}

// tocTarget makes an href of a document in dir into an entry name with
// its fragment; "" when it leaves the book.
func tocTarget(dir, href string) string {
	if dir == "." {
		dir = ""
	}
	u, err := url.Parse(href)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	name := path.Clean(path.Join(dir, u.Path))
	if u.Path == "" || !safeName(name) || strings.HasPrefix(name, "../") {
		return ""
	}
	if u.Fragment != "" {
		name += "#" + u.Fragment
	}
	return name
}

// navChapters reads the links of an EPUB 3 navigation document's toc.
func navChapters(doc []byte, dir string) []chapter {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	var out, firstNav []chapter
	depth, navs := 0, 0 // depth inside the nav being read
	isTOC := false
	var cur *chapter
	var title strings.Builder
	for len(out) < maxChapters {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if depth > 0 {
				depth++
			}
			if name == "nav" && depth == 0 {
				depth, navs, isTOC = 1, navs+1, false
				for _, at := range t.Attr {
					if at.Name.Local == "type" && hasToken(at.Value, "toc") {
						isTOC = true
					}
				}
			}
			if name == "a" && depth > 0 {
				cur = &chapter{}
				title.Reset()
				for _, at := range t.Attr {
					if at.Name.Local == "href" {
						cur.Href = tocTarget(dir, at.Value)
					}
				}
			}
		case xml.EndElement:
			name := strings.ToLower(t.Name.Local)
			if name == "a" && cur != nil {
				cur.Title = cleanText(title.String(), 500)
				if cur.Title != "" || cur.Href != "" {
					if isTOC {
						out = append(out, *cur)
					} else if navs == 1 {
						firstNav = append(firstNav, *cur)
					}
				}
				cur = nil
			}
			if depth > 0 {
				depth--
				if depth == 0 && isTOC {
					return out
				}
			}
		case xml.CharData:
			if cur != nil {
				title.Write(t)
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	return firstNav
}

// ncxPoint is a navPoint of an NCX, nested.
type ncxPoint struct {
	Label   string     `xml:"navLabel>text"`
	Content ncxContent `xml:"content"`
	Points  []ncxPoint `xml:"navPoint"`
}

type ncxContent struct {
	Src string `xml:"src,attr"`
}

// ncxChapters reads an EPUB 2 NCX's navMap, depth first.
func ncxChapters(doc []byte, dir string) []chapter {
	var ncx struct {
		Points []ncxPoint `xml:"navMap>navPoint"`
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict, d.Entity = false, xml.HTMLEntity
	if d.Decode(&ncx) != nil {
		return nil
	}
	var out []chapter
	var walk func(ps []ncxPoint)
	walk = func(ps []ncxPoint) {
		for _, p := range ps {
			if len(out) >= maxChapters {
				return
			}
			out = append(out, chapter{Title: cleanText(p.Label, 500), Href: tocTarget(dir, p.Content.Src)})
			walk(p.Points)
		}
	}
	walk(ncx.Points)
	return out
}
