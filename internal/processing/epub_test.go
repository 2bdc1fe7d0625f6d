package processing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testLimits() epubLimits {
	c := DefaultConfig()
	return epubLimits{MaxEntries: c.EPUBMaxEntries, MaxUnpacked: int64(c.EPUBMaxUnpackedBytes), MaxRatio: c.EPUBMaxRatio, MaxText: 1 << 20}
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "original")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadEPUB(t *testing.T) {
	t.Parallel()
	book, err := readEPUB(writeTemp(t, makeZip(t, epubEntries())), testLimits())
	if err != nil {
		t.Fatal(err)
	}
	if book.Title != "The Library of Alexandria" || book.Language != "en" || book.Creator != "Callimachus" || book.Spine != 2 {
		t.Errorf("metadata = %+v", book)
	}
	if len(book.Cover) == 0 || string(book.Cover[1:4]) != "PNG" {
		t.Errorf("cover = %d bytes, want the PNG", len(book.Cover))
	}
	// One form-feed separated part per reading-order document.
	if want := "Scrolls\nPtolemy gathered every book & scroll.\fFire\nMuch was lost."; book.Text != want {
		t.Errorf("text = %q, want %q", book.Text, want)
	}
	for _, hidden := range []string{"hidden", "color: red"} {
		if strings.Contains(book.Text, hidden) {
			t.Errorf("text keeps %q from a script or style: %q", hidden, book.Text)
		}
	}
}

func TestReadEPUBRefusesHostileArchives(t *testing.T) {
	t.Parallel()
	lim := testLimits()
	lim.MaxEntries = 100
	cases := []struct {
		name   string
		file   func(t *testing.T) []byte
		reason string
	}{
		{"declared_size_over_the_limit_is_a_bomb", func(t *testing.T) []byte { return bombDeclaredSize(t) }, "unpacks to more than"},
		{"too_many_entries", func(t *testing.T) []byte { return bombManyEntries(t, 200) }, "too many files"},
		{"high_compression_ratio_is_a_bomb", func(t *testing.T) []byte { return bombRatio(t) }, "compressed more than"},
		{"path_traversal_name", func(t *testing.T) []byte {
			return makeZip(t, epubEntries(zipEntry{name: "../../etc/passwd", data: []byte("x")}))
		}, "unsafe name"},
		{"not_a_zip", func(*testing.T) []byte { return []byte("PK\x03\x04 but nothing else of a zip archive") }, "not a readable zip"},
		{"no_container", func(t *testing.T) []byte {
			return makeZip(t, []zipEntry{{name: "mimetype", data: []byte("application/epub+zip")}})
		}, "lacks META-INF/container.xml"},
		{"package_outside_the_archive", func(t *testing.T) []byte {
			return makeZip(t, []zipEntry{{name: "META-INF/container.xml",
				data: []byte(`<container><rootfiles><rootfile full-path="../content.opf"/></rootfiles></container>`)}})
		}, "unsafe path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := readEPUB(writeTemp(t, c.file(t)), lim)
			reason, final := permanent(err, familyEPUB)
			if !final || !strings.Contains(reason, c.reason) {
				t.Fatalf("err = %v, want a bad input mentioning %q", err, c.reason)
			}
		})
	}
}

func TestResolveKeepsHrefsInsideTheArchive(t *testing.T) {
	t.Parallel()
	cases := []struct {
		base, href, want string
		ok               bool
	}{
		{"OEBPS", "text/ch1.xhtml#part", "OEBPS/text/ch1.xhtml", true},
		{"OEBPS", "images/cover%20image.png", "OEBPS/images/cover image.png", true},
		{"OEBPS", "../META-INF/container.xml", "META-INF/container.xml", true},
		{"OEBPS", "../../etc/passwd", "", false},
		{"", "/etc/passwd", "", false},
		{"OEBPS", "http://example.org/x.xhtml", "", false},
	}
	for _, c := range cases {
		got, ok := resolve(c.base, c.href)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("resolve(%q, %q) = %q, %v; want %q, %v", c.base, c.href, got, ok, c.want, c.ok)
		}
	}
}

func TestEPUBWithoutCoverHasNoCover(t *testing.T) {
	t.Parallel()
	entries := epubEntries()
	opf := string(entries[2].data)
	opf = strings.Replace(opf, ` properties="cover-image"`, "", 1)
	opf = strings.Replace(opf, `<meta name="cover" content="cover"/>`, "", 1)
	entries[2].data = []byte(opf)
	book, err := readEPUB(writeTemp(t, makeZip(t, entries)), testLimits())
	if err != nil {
		t.Fatal(err)
	}
	if book.Cover != nil || !strings.Contains(book.Text, "Much was lost.") {
		t.Errorf("cover %d bytes, text %q", len(book.Cover), book.Text)
	}
}
