package processing

import (
	"archive/zip"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// Files made in the tests: PDFs and EPUBs built here byte by byte, audio and
// video synthesised by ffmpeg.

// requireTools skips a test when the media tools are absent, unless CI
// requires them (TEST_REQUIRE_SERVERS=1).
func requireTools(t testing.TB) {
	t.Helper()
	if missing := findTools(0).missing(); len(missing) > 0 {
		testkit.SkipOrFail(t, "media tools (apt-get install ffmpeg poppler-utils)",
			fmt.Errorf("missing: %s", strings.Join(missing, ", ")))
	}
}

// makePDF is testfiles.PDF (shared with the storage and end-to-end tests).
func makePDF(title, text string, claimPages int) []byte {
	return testfiles.PDF(title, text, claimPages)
}

// pngImage is a small PNG: the EPUB cover.
func pngImage(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: 128, A: 255}) //nolint:gosec // test pattern
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// zipEntry is one file of a test archive. Raw entries are written with
// their header as given (declared sizes may lie).
type zipEntry struct {
	name string
	data []byte
	raw  *zip.FileHeader
}

func makeZip(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i, e := range entries {
		var err error
		switch {
		case e.raw != nil:
			w, cerr := zw.CreateRaw(e.raw)
			if cerr == nil {
				_, err = w.Write(e.data)
			} else {
				err = cerr
			}
		default:
			method := zip.Deflate
			if i == 0 && e.name == "mimetype" {
				method = zip.Store
			}
			w, cerr := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
			if cerr == nil {
				_, err = w.Write(e.data)
			} else {
				err = cerr
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// epubEntries are the files of a small valid EPUB 3 with a cover image and
// two chapters; extra entries are appended.
func epubEntries(extra ...zipEntry) []zipEntry {
	container := `<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>`
	opf := `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:0190a7c0-0000-7000-8000-000000000001</dc:identifier>
    <dc:title>The Library of Alexandria</dc:title>
    <dc:language>en</dc:language>
    <dc:creator>Callimachus</dc:creator>
    <meta name="cover" content="cover"/>
  </metadata>
  <manifest>
    <item id="cover" href="images/cover%20image.png" media-type="image/png" properties="cover-image"/>
    <item id="c1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>
    <item id="c2" href="text/ch2.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
  </manifest>
  <spine><itemref idref="c1"/><itemref idref="c2"/></spine>
</package>`
	chapter := func(title, body string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>` + title + `</title><style>p { color: red }</style></head>
<body><h1>` + title + `</h1><p>` + body + `</p><script>var hidden = 1;</script></body></html>`)
	}
	entries := []zipEntry{
		{name: "mimetype", data: []byte("application/epub+zip")},
		{name: "META-INF/container.xml", data: []byte(container)},
		{name: "OEBPS/content.opf", data: []byte(opf)},
		{name: "OEBPS/images/cover image.png", data: pngImage(60, 90)},
		{name: "OEBPS/text/ch1.xhtml", data: chapter("Scrolls", "Ptolemy&nbsp;gathered <em>every</em> book &amp; scroll.")},
		{name: "OEBPS/text/ch2.xhtml", data: chapter("Fire", "Much was lost.")},
		{name: "OEBPS/style.css", data: []byte("p { margin: 0 }")},
	}
	return append(entries, extra...)
}

// The zip bombs.
func bombDeclaredSize(t testing.TB) []byte {
	return makeZip(t, epubEntries(zipEntry{name: "OEBPS/huge.bin", data: []byte{0x03, 0x00},
		raw: &zip.FileHeader{Name: "OEBPS/huge.bin", Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: 50 << 30}}))
}

func bombManyEntries(t testing.TB, n int) []byte {
	entries := epubEntries()
	for i := range n {
		entries = append(entries, zipEntry{name: fmt.Sprintf("OEBPS/x/%d", i)})
	}
	return makeZip(t, entries)
}

func bombRatio(t testing.TB) []byte {
	return makeZip(t, epubEntries(zipEntry{name: "OEBPS/zeros.bin", data: make([]byte, 24<<20)}))
}

// mediaFiles are the ffmpeg-synthesised files, made once per test binary.
var mediaFiles = sync.OnceValues(func() (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "processing-media-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	sine := []string{"-f", "lavfi", "-i", "sine=frequency=440:duration=2"}
	video := []string{"-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10"}
	recipes := []struct {
		name string
		args []string
	}{
		{"art.jpg", []string{"-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1"}},
		{"sine.mp3", append(append([]string{}, sine...), "-c:a", "libmp3lame", "-b:a", "64k")},
		{"sine.ogg", append(append([]string{}, sine...), "-c:a", "libopus", "-b:a", "32k")},
		{"sine.m4a", append(append([]string{}, sine...), "-c:a", "aac", "-b:a", "64k")},
		{"art.mp3", append(append([]string{}, sine...), "-i", "art.jpg", "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame",
			"-c:v", "copy", "-id3v2_version", "3", "-disposition:v:0", "attached_pic")},
		{"testsrc.mp4", append(append([]string{}, video...), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")},
		{"testsrc.webm", append(append([]string{}, video...), "-c:v", "libvpx", "-b:v", "200k", "-deadline", "realtime")},
	}
	out := map[string][]byte{}
	for _, r := range recipes {
		args := append(append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1"}, r.args...), "-y", r.name)
		cmd := exec.Command("ffmpeg", args...)
		cmd.Dir = dir
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("ffmpeg %s: %w: %s", r.name, err, msg)
		}
		b, err := os.ReadFile(filepath.Join(dir, r.name))
		if err != nil {
			return nil, err
		}
		out[r.name] = b
	}
	return out, nil
})

func media(t testing.TB) map[string][]byte {
	t.Helper()
	requireTools(t)
	files, err := mediaFiles()
	if err != nil {
		t.Fatal(err)
	}
	return files
}
