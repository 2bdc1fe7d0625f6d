package storage

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// Files made in the tests: PDF and EPUB built here, audio and video
// synthesised by ffmpeg (skipped where ffmpeg is missing, failed under
// TEST_REQUIRE_SERVERS=1).

// makePDF is a valid one-page PDF showing title (testfiles.PDF, shared
// with the processing and end-to-end tests); pad adds a comment of about
// that many bytes (testfiles.PaddedPDF), to make large files cheaply.
func makePDF(title string, pad int) []byte {
	if pad > 0 {
		return testfiles.PaddedPDF(title, title, pad)
	}
	return testfiles.PDF(title, title, 1)
}

// makeEPUB builds a minimal EPUB 3: mimetype stored first, the container,
// the package document, a nav document and one chapter.
func makeEPUB(title string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	_, _ = w.Write([]byte("application/epub+zip"))
	files := []struct{ name, body string }{
		{"META-INF/container.xml", `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`},
		{"OEBPS/content.opf", `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:1</dc:identifier><dc:title>` + title + `</dc:title><dc:language>en</dc:language></metadata><manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c1"/></spine></package>`},
		{"OEBPS/nav.xhtml", `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><body><nav epub:type="toc"><ol><li><a href="c1.xhtml">One</a></li></ol></nav></body></html>`},
		{"OEBPS/c1.xhtml", `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>` + title + `</p></body></html>`},
	}
	for _, f := range files {
		w, _ := z.Create(f.name)
		_, _ = w.Write([]byte(f.body))
	}
	_ = z.Close()
	return b.Bytes()
}

// media files synthesised once per test binary.
var (
	mediaDir   string
	mediaMu    sync.Mutex
	mediaFiles = map[string][]byte{}
)

// ffmpegArgs makes each synthetic file (two seconds, tiny).
var ffmpegArgs = map[string][]string{
	"mp3":  {"-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "libmp3lame", "-b:a", "32k"},
	"m4a":  {"-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", "-b:a", "32k"},
	"ogg":  {"-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "libopus", "-b:a", "24k"},
	"mp4":  {"-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2", "-f", "lavfi", "-i", "sine=duration=2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"},
	"webm": {"-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2", "-c:v", "libvpx", "-b:v", "100k", "-deadline", "realtime"},
}

// mediaFile returns a synthetic file of the given extension.
func mediaFile(t *testing.T, ext string) []byte {
	t.Helper()
	mediaMu.Lock()
	defer mediaMu.Unlock()
	if b, ok := mediaFiles[ext]; ok {
		return b
	}
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		requireOrSkip(t, "ffmpeg (apt-get install ffmpeg)", err)
	}
	out := filepath.Join(mediaDir, "synth."+ext)
	args := append([]string{"-hide_banner", "-loglevel", "error", "-y"}, ffmpegArgs[ext]...)
	cmd := exec.Command(ffmpeg, append(args, out)...) //nolint:gosec // fixed arguments
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", ext, err, msg)
	}
	b, err := os.ReadFile(out) //nolint:gosec // the test's own file
	if err != nil {
		t.Fatal(err)
	}
	mediaFiles[ext] = b
	return b
}

// requireOrSkip is testkit.SkipOrFail.
var requireOrSkip = testkit.SkipOrFail
