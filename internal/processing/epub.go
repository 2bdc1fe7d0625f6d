package processing

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/platform/zipguard"
)

// An EPUB is a zip archive. It is never extracted: entries are looked up by
// the names the package document gives and read into memory through
// io.LimitReader, after the whole archive passed the guards against zip
// bombs (entry count, declared total size, compression ratio) and unsafe
// names.

// epubLimits bound the reading of one EPUB.
type epubLimits struct {
	MaxEntries  int
	MaxUnpacked int64
	MaxRatio    int
	MaxText     int
}

// Largest single entries read: package documents, one XHTML document, and
// the cover image.
const (
	maxEPUBMetaBytes  = 4 << 20
	maxEPUBDocBytes   = 32 << 20
	maxEPUBCoverBytes = 32 << 20
	// ratioFloor is the size below which an entry's compression ratio is
	// not checked: small highly repetitive files are normal.
	ratioFloor = 1 << 20
)

// epubBook is what processing takes from an EPUB.
type epubBook struct {
	Title, Language, Creator string
	Spine                    int
	Cover                    []byte // the cover image's bytes, nil when none is declared
	Text                     string
	Chapters                 []chapter // the table of contents
}

// readEPUB reads the EPUB at file. Every failure is a bad input.
func readEPUB(file string, lim epubLimits) (*epubBook, error) {
	f, err := os.Open(file) //nolint:gosec // the job's own temporary file
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return readEPUBFrom(f, fi.Size(), lim)
}

// readEPUBFrom reads an EPUB of size bytes from r. Every failure is a bad
// input.
func readEPUBFrom(r io.ReaderAt, size int64, lim epubLimits) (*epubBook, error) {
	if err := checkZipDirectory(r, size, lim.MaxEntries); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, badInput("the EPUB is not a readable zip archive")
	}
	a, err := newArchive(zr, lim)
	if err != nil {
		return nil, err
	}
	return a.book()
}

// checkZipDirectory reads the end-of-central-directory record and refuses
// an archive that declares more than maxEntries entries before archive/zip
// allocates one header per entry.
func checkZipDirectory(r io.ReaderAt, size int64, maxEntries int) error {
	if err := zipguard.Check(r, size, maxEntries); err != nil {
		return badInput("the EPUB %v", err)
	}
	return nil
}

// archive is a guarded zip.
type archive struct {
	files map[string]*zip.File
	lim   epubLimits
}

func newArchive(zr *zip.Reader, lim epubLimits) (*archive, error) {
	if len(zr.File) > lim.MaxEntries {
		return nil, badInput("the EPUB has too many files (more than %d)", lim.MaxEntries)
	}
	a := &archive{files: make(map[string]*zip.File, len(zr.File)), lim: lim}
	var total uint64
	for _, f := range zr.File {
		if !safeName(f.Name) {
			return nil, badInput("the EPUB contains a file with an unsafe name")
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxUnpacked) { //nolint:gosec // positive by validation
			return nil, badInput("the EPUB unpacks to more than %d bytes", lim.MaxUnpacked)
		}
		if f.UncompressedSize64 > ratioFloor &&
			(f.CompressedSize64 == 0 || f.UncompressedSize64/f.CompressedSize64 > uint64(lim.MaxRatio)) { //nolint:gosec // positive by validation
			return nil, badInput("the EPUB contains a file compressed more than %d:1 (a zip bomb?)", lim.MaxRatio)
		}
		a.files[f.Name] = f
	}
	return a, nil
}

// safeName refuses names that would escape a directory if extracted.
func safeName(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || strings.ContainsRune(name, 0) {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return false
		}
	}
	return true
}

// read reads the entry called name, at most max bytes.
func (a *archive) read(name string, max int64) ([]byte, error) {
	f, ok := a.files[name]
	if !ok {
		return nil, badInput("the EPUB lacks %s", name)
	}
	if f.UncompressedSize64 > uint64(max) { //nolint:gosec // max is a positive constant
		return nil, badInput("%s in the EPUB is larger than %d bytes", name, max)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, badInput("%s in the EPUB cannot be read", name)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, badInput("%s in the EPUB is damaged", name)
	}
	if int64(len(b)) > max {
		return nil, badInput("%s in the EPUB is larger than %d bytes", name, max)
	}
	return b, nil
}

// resolve turns an href of the package document into an entry name.
func resolve(base, href string) (string, bool) {
	u, err := url.Parse(href)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" {
		return "", false
	}
	name := path.Clean(path.Join(base, u.Path))
	return name, safeName(name) && !strings.HasPrefix(name, "../") && name != ".."
}

// opf is the part of the package document processing reads.
type opf struct {
	Metadata struct {
		Titles    []string `xml:"http://purl.org/dc/elements/1.1/ title"`
		Languages []string `xml:"http://purl.org/dc/elements/1.1/ language"`
		Creators  []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
		Meta      []struct {
			Name    string `xml:"name,attr"`
			Content string `xml:"content,attr"`
		} `xml:"meta"`
	} `xml:"metadata"`
	Manifest []struct {
		ID         string `xml:"id,attr"`
		Href       string `xml:"href,attr"`
		MediaType  string `xml:"media-type,attr"`
		Properties string `xml:"properties,attr"`
	} `xml:"manifest>item"`
	Spine []struct {
		IDRef string `xml:"idref,attr"`
	} `xml:"spine>itemref"`
}

func (a *archive) book() (*epubBook, error) {
	raw, err := a.read("META-INF/container.xml", maxEPUBMetaBytes)
	if err != nil {
		return nil, err
	}
	var container struct {
		Rootfiles []struct {
			FullPath string `xml:"full-path,attr"`
		} `xml:"rootfiles>rootfile"`
	}
	if err := xml.Unmarshal(raw, &container); err != nil || len(container.Rootfiles) == 0 {
		return nil, badInput("the EPUB's META-INF/container.xml names no package document")
	}
	opfName, ok := resolve("", container.Rootfiles[0].FullPath)
	if !ok {
		return nil, badInput("the EPUB's package document has an unsafe path")
	}
	raw, err = a.read(opfName, maxEPUBMetaBytes)
	if err != nil {
		return nil, err
	}
	var pkg opf
	if err := xml.Unmarshal(raw, &pkg); err != nil {
		return nil, badInput("the EPUB's package document is not valid XML")
	}
	if len(pkg.Spine) == 0 {
		return nil, badInput("the EPUB has no reading order (empty spine)")
	}
	b := &epubBook{Spine: len(pkg.Spine)}
	first := func(v []string) string {
		if len(v) == 0 {
			return ""
		}
		return cleanText(v[0], 500)
	}
	b.Title, b.Language, b.Creator = first(pkg.Metadata.Titles), first(pkg.Metadata.Languages), first(pkg.Metadata.Creators)
	base := path.Dir(opfName)
	if base == "." {
		base = ""
	}
	items := map[string]int{}
	for i, it := range pkg.Manifest {
		items[it.ID] = i
	}
	// The cover: EPUB 3 marks it with properties="cover-image", EPUB 2
	// with <meta name="cover" content="<item id>">.
	cover := -1
	for i, it := range pkg.Manifest {
		if hasToken(it.Properties, "cover-image") {
			cover = i
			break
		}
	}
	if cover < 0 {
		for _, m := range pkg.Metadata.Meta {
			if i, ok := items[m.Content]; ok && m.Name == "cover" {
				cover = i
				break
			}
		}
	}
	if cover >= 0 && strings.HasPrefix(pkg.Manifest[cover].MediaType, "image/") {
		name, ok := resolve(base, pkg.Manifest[cover].Href)
		if !ok {
			return nil, badInput("the EPUB's cover image has an unsafe path")
		}
		if b.Cover, err = a.read(name, maxEPUBCoverBytes); err != nil {
			return nil, err
		}
	}
	// The text keeps the reading order's documents apart: a form feed
	// (a plain-text page break, as pdftotext ends each page) before every
	// document after the first, empty ones included, so part k of the text
	// is the k-th (X)HTML document and chapters can name it (Section).
	var text strings.Builder
	sections := map[string]int{} // entry name → part of the text, from 1
	parts := 0
	for _, ref := range pkg.Spine {
		if text.Len() >= a.lim.MaxText {
			break
		}
		i, ok := items[ref.IDRef]
		if !ok {
			return nil, badInput("the EPUB's reading order names a missing item %q", cleanText(ref.IDRef, 100))
		}
		it := pkg.Manifest[i]
		if it.MediaType != "application/xhtml+xml" && it.MediaType != "text/html" {
			continue
		}
		name, ok := resolve(base, it.Href)
		if !ok {
			return nil, badInput("the EPUB's reading order has an unsafe path")
		}
		doc, err := a.read(name, maxEPUBDocBytes)
		if err != nil {
			return nil, err
		}
		if parts > 0 {
			text.WriteByte('\f')
		}
		parts++
		if _, seen := sections[name]; !seen {
			sections[name] = parts
		}
		var part strings.Builder
		htmlText(&part, doc, a.lim.MaxText-text.Len())
		text.WriteString(strings.Trim(strings.ReplaceAll(part.String(), "\f", " "), " \t\r\n"))
	}
	b.Text = truncateUTF8(text.String(), a.lim.MaxText)
	if strings.TrimSpace(b.Text) == "" {
		b.Text = ""
	}
	toc := make([]tocItem, len(pkg.Manifest))
	for i, it := range pkg.Manifest {
		toc[i] = tocItem{href: it.Href, mediaType: it.MediaType, properties: it.Properties, id: it.ID}
	}
	b.Chapters = a.epubTOC(raw, base, toc)
	for i, c := range b.Chapters {
		doc, _, _ := strings.Cut(c.Href, "#")
		b.Chapters[i].Section = sections[doc]
	}
	return b, nil
}

func hasToken(list, token string) bool {
	for _, t := range strings.Fields(list) {
		if t == token {
			return true
		}
	}
	return false
}

// blockElements end a line of text.
var blockElements = map[string]bool{
	"p": true, "div": true, "br": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "tr": true, "blockquote": true, "section": true, "article": true, "pre": true, "hr": true,
	"dt": true, "dd": true, "figcaption": true, "title": true,
}

// htmlText appends the text of an (X)HTML document to w, one block per
// line, until w holds max bytes. Scripts, styles and the head are skipped.
// The tokenizer is lenient (HTML entities, unclosed tags) and never
// resolves external entities.
func htmlText(w *strings.Builder, doc []byte, max int) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	skip := 0
	line := false
	newline := func() {
		if line {
			w.WriteByte('\n')
			line = false
		}
	}
	for w.Len() < max {
		tok, err := d.Token()
		if err != nil {
			break // end of document, or damage past which nothing is readable
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch strings.ToLower(t.Name.Local) {
			case "script", "style", "head":
				skip++
			default:
				if blockElements[strings.ToLower(t.Name.Local)] {
					newline()
				}
			}
		case xml.EndElement:
			switch strings.ToLower(t.Name.Local) {
			case "script", "style", "head":
				if skip > 0 {
					skip--
				}
			default:
				if blockElements[strings.ToLower(t.Name.Local)] {
					newline()
				}
			}
		case xml.CharData:
			if skip > 0 {
				continue
			}
			words := strings.Fields(string(t))
			if len(words) == 0 {
				continue
			}
			if line {
				w.WriteByte(' ')
			}
			w.WriteString(strings.Join(words, " "))
			line = true
		}
	}
	newline()
}
