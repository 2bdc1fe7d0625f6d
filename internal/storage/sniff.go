package storage

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/alexandria-platform/alexandria/internal/platform/zipguard"
)

// Content types storage recognises from the bytes.
const (
	TypePDF      = "application/pdf"
	TypeEPUB     = "application/epub+zip"
	TypeText     = "text/plain; charset=utf-8"
	TypeMarkdown = "text/markdown; charset=utf-8"
	TypeMP3      = "audio/mpeg"
	TypeM4A      = "audio/mp4"
	TypeOgg      = "audio/ogg"
	TypeMP4      = "video/mp4"
	TypeWebM     = "video/webm"
)

// allowed lists, per kind, the formats accepted and how the refusal names them.
var allowed = map[string]struct {
	types []string
	names string
}{
	KindBook:     {[]string{TypeEPUB, TypePDF}, "EPUB or PDF"},
	KindDocument: {[]string{TypePDF, TypeEPUB, TypeText, TypeMarkdown}, "PDF, EPUB, plain text or Markdown (UTF-8)"},
	KindPodcast:  {[]string{TypeMP3, TypeM4A, TypeOgg}, "MP3, M4A/AAC or Ogg (Opus/Vorbis)"},
	KindVideo:    {[]string{TypeMP4, TypeWebM}, "MP4 or WebM"},
}

// Refusal is a file whose bytes are not an allowed format for its kind.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

// Sniff decides the content type of a file of size bytes from its bytes
// alone — never its name or declared type — and checks it against the
// formats allowed for kind. It reads the first KiB and, per format, a few
// structures (the zip directory, MP4 boxes, the EBML header, the end of a
// PDF); a text file is read whole to check it is UTF-8 without NUL bytes.
func Sniff(kind string, r io.ReaderAt, size int64) (string, error) {
	allow, ok := allowed[kind]
	if !ok {
		return "", &Refusal{Reason: fmt.Sprintf("unknown media kind %q", kind)}
	}
	if size == 0 {
		return "", &Refusal{Reason: "the file is empty"}
	}
	head := make([]byte, min(size, 4096))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return "", err
	}
	typ, detail := detect(kind, r, size, head)
	for _, t := range allow.types {
		if t == typ {
			return typ, nil
		}
	}
	what := "its bytes are not a format we recognise"
	if typ != "" {
		what = "its bytes are " + describe(typ)
	}
	if detail != "" {
		what += " (" + detail + ")"
	}
	return "", &Refusal{Reason: fmt.Sprintf("a %s must be %s, but %s", kind, allow.names, what)}
}

// detect names the format of the file, or "" with a detail saying what
// was almost recognised.
func detect(kind string, r io.ReaderAt, size int64, head []byte) (string, string) {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return sniffPDF(r, size)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return sniffEPUB(r, size, head)
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		return sniffMP4(r, size, head)
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return sniffWebM(head)
	case bytes.HasPrefix(head, []byte("OggS")):
		return sniffOgg(head)
	case bytes.HasPrefix(head, []byte("ID3")) || mpegFrame(head):
		return sniffMP3(r, size, head)
	}
	if kind == KindDocument {
		return sniffText(r, size)
	}
	return "", ""
}

func describe(typ string) string {
	switch typ {
	case TypePDF:
		return "a PDF"
	case TypeEPUB:
		return "an EPUB"
	case TypeText:
		return "plain text"
	case TypeMarkdown:
		return "Markdown"
	case TypeMP3:
		return "MP3 audio"
	case TypeM4A:
		return "M4A audio"
	case TypeOgg:
		return "Ogg audio"
	case TypeMP4:
		return "an MP4 video"
	case TypeWebM:
		return "a WebM video"
	}
	return typ
}

// sniffPDF wants "%PDF-" first and "%%EOF" near the end (a truncated PDF
// has none).
func sniffPDF(r io.ReaderAt, size int64) (string, string) {
	n := min(size, 4096)
	tail := make([]byte, n)
	if _, err := r.ReadAt(tail, size-n); err != nil && err != io.EOF {
		return "", "unreadable"
	}
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return "", "a PDF header but no end-of-file marker: the PDF is truncated"
	}
	return TypePDF, ""
}

// sniffEPUB wants the OCF layout: a stored first entry "mimetype" holding
// "application/epub+zip", a readable zip directory, and
// META-INF/container.xml. Only the directory is read, so a zip bomb costs
// nothing here.
func sniffEPUB(r io.ReaderAt, size int64, head []byte) (string, string) {
	const mimetype = "application/epub+zip"
	if len(head) < 30 {
		return "", "a zip archive that is too short"
	}
	nameLen := int(binary.LittleEndian.Uint16(head[26:28]))
	extraLen := int(binary.LittleEndian.Uint16(head[28:30]))
	start := 30 + nameLen + extraLen
	if string(head[30:min(len(head), 30+nameLen)]) != "mimetype" || len(head) < start+len(mimetype) ||
		string(head[start:start+len(mimetype)]) != mimetype {
		return "", "a zip archive, not an EPUB (its first entry must be mimetype = application/epub+zip)"
	}
	// A crafted directory would cost memory far beyond the file's size.
	if err := zipguard.Check(r, size, maxEPUBEntries); err != nil {
		return "", "an EPUB that " + err.Error()
	}
	z, err := zip.NewReader(r, size)
	if err != nil {
		return "", "an EPUB whose zip directory is damaged: " + err.Error()
	}
	for _, f := range z.File {
		if f.Name == "META-INF/container.xml" {
			return TypeEPUB, ""
		}
	}
	return "", "an EPUB without META-INF/container.xml"
}

// maxEPUBEntries bounds the files of an EPUB (chapters, images, styles).
const maxEPUBEntries = 10000

// mp4Brands are the ftyp brands of ISO base media files we accept.
var mp4Brands = map[string]bool{
	"isom": true, "iso2": true, "iso4": true, "iso5": true, "iso6": true, "mp41": true, "mp42": true,
	"avc1": true, "M4A ": true, "M4B ": true, "M4V ": true, "dash": true, "MSNV": true,
}

// sniffMP4 checks the ftyp brands, then walks the boxes (moov may be at
// the end) for the handler types of the tracks: audio only is M4A, a
// video track makes an MP4 video.
func sniffMP4(r io.ReaderAt, size int64, head []byte) (string, string) {
	ftypSize := int(binary.BigEndian.Uint32(head[0:4]))
	ok := false
	for off := 8; off+4 <= min(ftypSize, len(head)); off += 4 {
		if off == 12 {
			continue // minor version
		}
		if mp4Brands[string(head[off:off+4])] {
			ok = true
		}
	}
	if !ok {
		return "", fmt.Sprintf("an ISO media file of brand %q, not MP4/M4A", head[8:12])
	}
	handlers := map[string]bool{}
	moov, found := findBox(r, 0, size, "moov")
	if !found {
		return "", "an MP4 without a movie header (moov): the file is truncated"
	}
	walkTracks(r, moov, handlers)
	switch {
	case handlers["vide"]:
		return TypeMP4, ""
	case handlers["soun"]:
		return TypeM4A, ""
	}
	return "", "an MP4 without an audio or video track"
}

// box is an ISO BMFF box's payload range.
type box struct{ start, end int64 }

// findBox finds the first box of type typ among the boxes in [from, to).
func findBox(r io.ReaderAt, from, to int64, typ string) (box, bool) {
	var hdr [16]byte
	for off, n := from, 0; off+8 <= to && n < 10000; n++ {
		if _, err := r.ReadAt(hdr[:8], off); err != nil {
			return box{}, false
		}
		size, hlen := int64(binary.BigEndian.Uint32(hdr[:4])), int64(8)
		switch size {
		case 0:
			size = to - off
		case 1:
			if _, err := r.ReadAt(hdr[8:16], off+8); err != nil {
				return box{}, false
			}
			large := binary.BigEndian.Uint64(hdr[8:16])
			if large > uint64(to-off) { //nolint:gosec // to-off >= 8 in this loop
				return box{}, false
			}
			size, hlen = int64(large), 16 //nolint:gosec // bounded by the file size just above
		}
		if size < hlen || off+size > to {
			return box{}, false
		}
		if string(hdr[4:8]) == typ {
			return box{off + hlen, off + size}, true
		}
		off += size
	}
	return box{}, false
}

// walkTracks records the handler type (hdlr) of every trak in moov.
func walkTracks(r io.ReaderAt, moov box, handlers map[string]bool) {
	for off, n := moov.start, 0; off < moov.end && n < 64; n++ {
		trak, ok := findBox(r, off, moov.end, "trak")
		if !ok {
			return
		}
		if mdia, ok := findBox(r, trak.start, trak.end, "mdia"); ok {
			if hdlr, ok := findBox(r, mdia.start, mdia.end, "hdlr"); ok && hdlr.end-hdlr.start >= 12 {
				var h [4]byte
				if _, err := r.ReadAt(h[:], hdlr.start+8); err == nil {
					handlers[string(h[:])] = true
				}
			}
		}
		off = trak.end
	}
}

// sniffWebM reads the EBML header's DocType (element 0x4282).
func sniffWebM(head []byte) (string, string) {
	i := 4
	hdrSize, n := ebmlVint(head[i:])
	if n == 0 {
		return "", "a damaged EBML header"
	}
	i += n
	end := len(head)
	if hdrSize < uint64(len(head)-i) { //nolint:gosec // i <= len(head): ebmlVint read within head
		end = i + int(hdrSize) //nolint:gosec // less than len(head)
	}
	for i < end {
		id, n := ebmlID(head[i:])
		if n == 0 {
			break
		}
		i += n
		sz, m := ebmlVint(head[i:])
		if m == 0 || sz > uint64(len(head)-i-m) { //nolint:gosec // i+m <= len(head): ebmlVint read within head
			break
		}
		i += m
		l := int(sz) //nolint:gosec // less than len(head)
		if id == 0x4282 {
			doc := string(head[i : i+l])
			if strings.TrimRight(doc, "\x00") == "webm" {
				return TypeWebM, ""
			}
			return "", fmt.Sprintf("an EBML (%s) file, not WebM", doc)
		}
		i += l
	}
	return "", "an EBML file without a DocType"
}

// ebmlID reads an element ID (its length marker kept).
func ebmlID(b []byte) (uint64, int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	n := 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if n > 4 || len(b) < n {
		return 0, 0
	}
	var v uint64
	for _, c := range b[:n] {
		v = v<<8 | uint64(c)
	}
	return v, n
}

// ebmlVint reads a size (its length marker removed).
func ebmlVint(b []byte) (uint64, int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	n := 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if len(b) < n {
		return 0, 0
	}
	v := uint64(b[0] & (0xFF >> n))
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
	}
	return v, n
}

// sniffOgg wants an audio codec in the first page: Opus or Vorbis.
func sniffOgg(head []byte) (string, string) {
	if len(head) < 27 {
		return "", "a truncated Ogg page"
	}
	segs := int(head[26])
	body := 27 + segs
	if len(head) < body+8 {
		return "", "a truncated Ogg page"
	}
	switch {
	case bytes.HasPrefix(head[body:], []byte("OpusHead")), bytes.HasPrefix(head[body:], []byte("\x01vorbis")):
		return TypeOgg, ""
	}
	return "", "an Ogg stream that is not Opus or Vorbis audio"
}

// mpegFrame reports an MPEG-1/2 audio layer III frame header.
func mpegFrame(b []byte) bool {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return false
	}
	version, layer := (b[1]>>3)&3, (b[1]>>1)&3
	bitrate, rate := b[2]>>4, (b[2]>>2)&3
	return version != 1 && layer == 1 && bitrate != 0 && bitrate != 15 && rate != 3
}

// sniffMP3 skips an ID3v2 tag and wants a layer III frame after it.
func sniffMP3(r io.ReaderAt, size int64, head []byte) (string, string) {
	off := int64(0)
	if bytes.HasPrefix(head, []byte("ID3")) {
		if len(head) < 10 {
			return "", "a truncated ID3 tag"
		}
		tag := int64(head[6]&0x7F)<<21 | int64(head[7]&0x7F)<<14 | int64(head[8]&0x7F)<<7 | int64(head[9]&0x7F)
		off = 10 + tag
		if head[5]&0x10 != 0 {
			off += 10 // footer
		}
	}
	var frame [4]byte
	// Tolerate padding between the tag and the first frame.
	for tries := 0; tries < 4096 && off+4 <= size; tries++ {
		if _, err := r.ReadAt(frame[:], off); err != nil {
			break
		}
		if mpegFrame(frame[:]) {
			return TypeMP3, ""
		}
		if frame[0] != 0 {
			break
		}
		off++
	}
	return "", "an ID3 tag without MPEG audio after it"
}

// markdownHint matches lines that only Markdown writes.
var markdownHint = regexp.MustCompile("(?m)^(#{1,6} \\S|```|\\* \\S|- \\S|> \\S|\\d+\\. \\S)|\\[[^\\]\\n]+\\]\\([^)\\s]+\\)")

// sniffText reads the whole file: valid UTF-8 and no NUL byte is text;
// Markdown when its first 64 KiB use Markdown syntax.
func sniffText(r io.ReaderAt, size int64) (string, string) {
	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 64<<10)
	first, _ := br.Peek(64 << 10)
	sample := append([]byte(nil), first...)
	var carry []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := br.Read(buf)
		chunk := append(carry, buf[:n]...)
		if bytes.IndexByte(chunk, 0) >= 0 {
			return "", "binary data (it contains NUL bytes)"
		}
		// Keep an incomplete rune at the end for the next chunk.
		cut := len(chunk)
		for i := 1; i <= 3 && i <= len(chunk); i++ {
			if c := chunk[len(chunk)-i]; c&0xC0 != 0x80 {
				if c >= 0xC0 && !utf8.FullRune(chunk[len(chunk)-i:]) {
					cut = len(chunk) - i
				}
				break
			}
		}
		if !utf8.Valid(chunk[:cut]) {
			return "", "binary data or text that is not UTF-8"
		}
		carry = append(carry[:0], chunk[cut:]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", "unreadable"
		}
	}
	if len(carry) > 0 {
		return "", "text that ends in the middle of a UTF-8 character"
	}
	if markdownHint.Match(sample) {
		return TypeMarkdown, ""
	}
	return TypeText, ""
}
