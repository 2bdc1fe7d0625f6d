package processing

import (
	"slices"
	"strings"
	"testing"
)

// epubWith is the test EPUB with its package document's manifest and
// spine tag changed, and extra entries.
func epubWith(t *testing.T, manifestExtra, spineAttr string, extra ...zipEntry) []byte {
	t.Helper()
	entries := epubEntries(extra...)
	for i, e := range entries {
		if e.name == "OEBPS/content.opf" {
			s := strings.Replace(string(e.data), "<manifest>", "<manifest>"+manifestExtra, 1)
			s = strings.Replace(s, "<spine>", "<spine"+spineAttr+">", 1)
			entries[i].data = []byte(s)
		}
	}
	return makeZip(t, entries)
}

func TestEPUBTableOfContents(t *testing.T) {
	t.Parallel()
	nav := `<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><body>
<nav epub:type="landmarks"><ol><li><a href="text/ch2.xhtml">Not a chapter</a></li></ol></nav>
<nav epub:type="toc"><h1>Contents</h1><ol>
  <li><a href="text/ch1.xhtml">Scrolls &amp; <em>books</em></a>
    <ol><li><a href="text/ch1.xhtml#ptolemy">Ptolemy</a></li></ol></li>
  <li><a href="../../../etc/passwd">Escape</a></li>
  <li><a href="text/ch2.xhtml">Fire</a></li>
</ol></nav></body></html>`
	ncx := `<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
  <navPoint id="a"><navLabel><text>Part One</text></navLabel><content src="text/ch1.xhtml"/>
    <navPoint id="b"><navLabel><text>Scrolls</text></navLabel><content src="text/ch1.xhtml#s"/></navPoint></navPoint>
  <navPoint id="c"><navLabel><text>Fire</text></navLabel><content src="text/ch2.xhtml"/></navPoint>
</navMap></ncx>`
	type ch struct {
		title, href string
		section     int
	}
	got := func(b *epubBook) []ch {
		var out []ch
		for _, c := range b.Chapters {
			out = append(out, ch{c.Title, c.Href, c.Section})
		}
		return out
	}
	cases := []struct {
		name string
		file []byte
		want []ch
	}{
		{"epub3_nav", epubWith(t, `<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>`, "",
			zipEntry{name: "OEBPS/nav.xhtml", data: []byte(nav)}),
			[]ch{{"Scrolls & books", "OEBPS/text/ch1.xhtml", 1}, {"Ptolemy", "OEBPS/text/ch1.xhtml#ptolemy", 1}, {"Escape", "", 0},
				{"Fire", "OEBPS/text/ch2.xhtml", 2}}},
		{"epub2_ncx", epubWith(t, `<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>`, ` toc="ncx"`,
			zipEntry{name: "OEBPS/toc.ncx", data: []byte(ncx)}),
			[]ch{{"Part One", "OEBPS/text/ch1.xhtml", 1}, {"Scrolls", "OEBPS/text/ch1.xhtml#s", 1}, {"Fire", "OEBPS/text/ch2.xhtml", 2}}},
		{"missing_nav_is_no_chapters", epubWith(t, `<item id="nav" href="gone.xhtml" media-type="application/xhtml+xml" properties="nav"/>`, ""), nil},
		{"garbage_ncx_is_no_chapters", epubWith(t, `<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>`, ` toc="ncx"`,
			zipEntry{name: "OEBPS/toc.ncx", data: []byte("<ncx><navMap><navPoint>")}), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			book, err := readEPUB(writeTemp(t, c.file), testLimits())
			if err != nil {
				t.Fatal(err)
			}
			if g := got(book); !slices.Equal(g, c.want) {
				t.Errorf("chapters %v, want %v", g, c.want)
			}
		})
	}
}
