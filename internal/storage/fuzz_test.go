package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// Fuzz targets for what storage reads from outside: Range headers, the
// bytes of uploaded files (the sniffer) and tus Upload-Metadata. `make
// fuzz` runs each for a few seconds; crashers land in testdata/fuzz and
// then run with every `go test`.

// FuzzRange: normaliseRange never panics and its output is a Range header
// with at most maxRanges sorted, disjoint, non-adjacent ranges inside the
// object, or one unsatisfiable range, or "" (ignore the header).
func FuzzRange(f *testing.F) {
	for _, seed := range []string{
		"bytes=0-99", "bytes=0-99, 200-, -50, 900-5000", "bytes=-0", "bytes=5-1", "items=1-2", "bytes=",
		"bytes=0-0,0-0,0-0", "bytes= 1 - 2 ,3-4", "bytes=-9223372036854775808", "bytes=9223372036854775807-",
		"bytes=0-1,3-4,6-7,9-10,12-13,15-16,18-19,21-22,24-25,27-28,30-31,33-34,36-37,39-40,42-43,45-46,48-49",
		"bytes=1-", "bytes=,,,", "bytes=0-9223372036854775807",
	} {
		f.Add(seed, int64(1000))
	}
	f.Add("bytes=0-0", int64(0))
	f.Add("bytes=-1", int64(1))
	f.Fuzz(func(t *testing.T, h string, size int64) {
		got, err := normaliseRange(h, size)
		if err != nil {
			if !errors.Is(err, errRangeCount) {
				t.Fatalf("%q (size %d): unexpected error %v", h, size, err)
			}
			return
		}
		if got == "" {
			return
		}
		spec, ok := strings.CutPrefix(got, "bytes=")
		if !ok || size <= 0 {
			t.Fatalf("%q (size %d) became %q", h, size, got)
		}
		if spec == strconv.FormatInt(size, 10)+"-" {
			return // unsatisfiable on purpose: ServeContent answers 416
		}
		parts := strings.Split(spec, ",")
		if len(parts) > maxRanges {
			t.Fatalf("%q became %d ranges", h, len(parts))
		}
		prev := int64(-2)
		for _, p := range parts {
			a, b, ok := strings.Cut(p, "-")
			first, err1 := strconv.ParseInt(a, 10, 64)
			last, err2 := strconv.ParseInt(b, 10, 64)
			if !ok || err1 != nil || err2 != nil || first < 0 || last < first || last >= size || first <= prev+1 {
				t.Fatalf("%q (size %d) became %q: range %q is malformed, outside, unsorted or not merged", h, size, got, p)
			}
			prev = last
		}
		// The header ServeContent then sees must be one it accepts for size.
		again, err := normaliseRange(got, size)
		if err != nil || again != got {
			t.Fatalf("normalising %q again gave %q, %v", got, again, err)
		}
	})
}

// countingReader is a ReaderAt that counts the bytes asked for.
type countingReader struct {
	r    *bytes.Reader
	read int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.read += int64(len(p))
	return c.r.ReadAt(p, off)
}

// FuzzSniff: whatever the bytes, Sniff answers an allowed type for the
// kind or a Refusal, the same on every call, reading boundedly.
func FuzzSniff(f *testing.F) {
	mp3Frame := []byte{0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0}
	for _, seed := range [][]byte{
		makePDF("x", 0), makeEPUB("x"), makePDF("x", 0)[:200], []byte("Just words.\n"), []byte("# Title\n\n*x*\n"),
		[]byte("abc\x00def"), []byte("caf\xe9"), mp3Frame, append([]byte("ID3\x04\x00\x00\x00\x00\x00\x05xxxxx"), mp3Frame...),
		syntheticMP4("M4A ", "soun"), syntheticMP4("isom", "vide"), []byte("OggS"), {0x1A, 0x45, 0xDF, 0xA3, 0x80},
		[]byte("PK\x03\x04"), []byte("PK\x05\x06" + strings.Repeat("\xff", 18)),
	} {
		f.Add(seed)
	}
	kinds := []string{KindBook, KindDocument, KindPodcast, KindVideo}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kind := range kinds {
			cr := &countingReader{r: bytes.NewReader(data)}
			typ, err := Sniff(kind, cr, int64(len(data)))
			var refusal *Refusal
			switch {
			case err == nil:
				allowedType := false
				for _, a := range allowed[kind].types {
					allowedType = allowedType || a == typ
				}
				if !allowedType {
					t.Fatalf("kind %s: %q is not allowed", kind, typ)
				}
			case errors.As(err, &refusal):
				if refusal.Reason == "" || !utf8.ValidString(refusal.Reason) {
					t.Fatalf("kind %s: empty or invalid refusal %q", kind, refusal.Reason)
				}
			default:
				t.Fatalf("kind %s: %v is neither a type nor a refusal", kind, err)
			}
			// Reads stay proportionate: a document is read whole once for
			// the text check, plus fixed-size probes of structures.
			if limit := 3*int64(len(data)) + 1<<20; cr.read > limit {
				t.Fatalf("kind %s: read %d bytes of a %d-byte file", kind, cr.read, len(data))
			}
			typ2, err2 := Sniff(kind, bytes.NewReader(data), int64(len(data)))
			if typ2 != typ || (err == nil) != (err2 == nil) {
				t.Fatalf("kind %s: not deterministic: %q/%v then %q/%v", kind, typ, err, typ2, err2)
			}
		}
	})
}

// FuzzSanitizeFilename: the display name of an upload is valid UTF-8 of at
// most 200 bytes, one path element, without control, quoting or
// bidirectional characters, and sanitising it again changes nothing.
func FuzzSanitizeFilename(f *testing.F) {
	for _, seed := range []string{"../../My Book.pdf", `C:\x\y.epub`, "a\x00b", "\u202eevil.pdf", "...", " .. a .. ",
		strings.Repeat("é", 150), "x\"; filename=y", "\xff\xfe"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := SanitizeFilename(name)
		if !utf8.ValidString(got) || len(got) > 200 || strings.ContainsAny(got, "/\\\";") ||
			strings.HasPrefix(got, ".") || strings.HasSuffix(got, ".") || got != strings.TrimSpace(got) {
			t.Fatalf("SanitizeFilename(%q) = %q", name, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				t.Fatalf("SanitizeFilename(%q) = %q keeps %U", name, got, r)
			}
		}
		if again := SanitizeFilename(got); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", name, got, again)
		}
		if got != "" && path.Base(got) != got {
			t.Fatalf("SanitizeFilename(%q) = %q is not one path element", name, got)
		}
	})
}

// FuzzTusMetadata sends tus creation requests with arbitrary
// Upload-Metadata headers to a real storage service (SQLite, local blobs)
// behind the production middleware: the answer is 201 or a 4xx problem,
// never a 5xx; an accepted upload belongs to the media item the metadata
// names and keeps a sanitised file name.
func FuzzTusMetadata(f *testing.F) {
	e := newEnv(f, moduletest.Store{Name: "sqlite"}, "", nil)
	uid, authz := e.user()
	media := e.catalog.newMedia(KindBook, "draft", uid)
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	f.Add("media_id " + enc(media) + ",filename " + enc("../../My Book.pdf"))
	f.Add("media_id " + enc(media))
	f.Add("media_id " + enc("not-a-uuid") + ",filename " + enc("x"))
	f.Add("media_id " + enc(media) + ",filename " + enc("\u202eevil\x00.pdf"))
	f.Add("media_id,filename")
	f.Add("media_id !!!,filename ???")
	f.Add("media_id " + enc(media) + ",media_id " + enc("00000000-0000-0000-0000-000000000000"))
	f.Add("")
	f.Fuzz(func(t *testing.T, meta string) {
		if !validHeader(meta) {
			return
		}
		req, err := http.NewRequest(http.MethodPost, e.url+"/v1/uploads", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", authz)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Length", "10")
		req.Header.Set("Upload-Metadata", meta)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		parsed := tusd.ParseMetadataHeader(meta)
		switch {
		case resp.StatusCode == http.StatusCreated:
			id := path.Base(resp.Header.Get("Location"))
			p, err := e.svc.store.Pending(context.Background(), id)
			if err != nil {
				t.Fatalf("201 for %q but no pending upload %s: %v", meta, id, err)
			}
			if p.MediaID != media || parsed["media_id"] != media {
				t.Fatalf("metadata %q: upload for media %q", meta, p.MediaID)
			}
			if p.Filename != SanitizeFilename(parsed["filename"]) {
				t.Fatalf("metadata %q: filename %q stored unsanitised", meta, p.Filename)
			}
			_ = e.svc.store.DropPending(context.Background(), id)
		case resp.StatusCode >= 400 && resp.StatusCode < 500:
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Fatalf("metadata %q: %d with %q: %s", meta, resp.StatusCode, ct, body)
			}
			if parsed["media_id"] == media && resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("metadata %q names the member's item but got %d: %s", meta, resp.StatusCode, body)
			}
		default:
			t.Fatalf("metadata %q: status %d: %s", meta, resp.StatusCode, body)
		}
	})
}

// validHeader reports whether net/http sends v as a header value.
func validHeader(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return strings.TrimSpace(v) == v
}
