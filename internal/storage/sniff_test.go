package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// mp4Box builds an ISO BMFF box.
func mp4Box(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	b := make([]byte, 8, 8+len(body))
	binary.BigEndian.PutUint32(b, uint32(8+len(body)))
	copy(b[4:], typ)
	return append(b, body...)
}

// syntheticMP4 is an ftyp with brand and a moov with one track of handler.
func syntheticMP4(brand, handler string) []byte {
	hdlr := mp4Box("hdlr", make([]byte, 8), []byte(handler), make([]byte, 12))
	return append(mp4Box("ftyp", []byte(brand), make([]byte, 4), []byte("isommp42")),
		mp4Box("moov", mp4Box("trak", mp4Box("mdia", hdlr)))...)
}

func TestSniff(t *testing.T) {
	t.Parallel()
	mp3Frame := []byte{0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0}
	id3 := append([]byte("ID3\x04\x00\x00\x00\x00\x00\x05xxxxx"), mp3Frame...)
	ebml := func(doc string) []byte {
		el := append([]byte{0x42, 0x82, 0x80 | byte(len(doc))}, doc...)
		return append(append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x80 | byte(len(el))}, el...), make([]byte, 16)...)
	}
	ogg := func(codec string) []byte {
		page := append([]byte("OggS"), make([]byte, 22)...)
		page = append(page, 1, 19) // one segment of 19 bytes
		return append(page, append([]byte(codec), make([]byte, 19)...)...)
	}
	zipNotEPUB := []byte("PK\x03\x04" + strings.Repeat("\x00", 22) + "\x05\x00\x00\x00hello" + "world")
	tests := []struct {
		name, kind string
		data       []byte
		want       string // content type, or "" for a refusal
		reason     string // part of the refusal
	}{
		{"pdf_book", KindBook, makePDF("x", 0), TypePDF, ""},
		{"epub_book", KindBook, makeEPUB("x"), TypeEPUB, ""},
		{"epub_document", KindDocument, makeEPUB("x"), TypeEPUB, ""},
		{"truncated_pdf_refused", KindBook, makePDF("x", 0)[:200], "", "truncated"},
		{"plain_zip_is_not_epub", KindBook, zipNotEPUB, "", "not an EPUB"},
		{"text_document", KindDocument, []byte("Just some words.\nAnd more, with ümlauts.\n"), TypeText, ""},
		{"markdown_document", KindDocument, []byte("# Title\n\nSome *words* and a [link](https://example.org).\n"), TypeMarkdown, ""},
		{"text_with_nul_refused", KindDocument, []byte("abc\x00def"), "", "NUL"},
		{"latin1_text_refused", KindDocument, []byte("caf\xe9 au lait"), "", "not UTF-8"},
		{"text_book_refused", KindBook, []byte("# Not a book\n"), "", "a book must be EPUB or PDF"},
		{"mp3_with_id3", KindPodcast, id3, TypeMP3, ""},
		{"mp3_frame_sync", KindPodcast, mp3Frame, TypeMP3, ""},
		{"m4a", KindPodcast, syntheticMP4("M4A ", "soun"), TypeM4A, ""},
		{"ogg_opus", KindPodcast, ogg("OpusHead"), TypeOgg, ""},
		{"ogg_theora_refused", KindPodcast, ogg("\x80theora"), "", "not Opus or Vorbis"},
		{"mp4_video", KindVideo, syntheticMP4("isom", "vide"), TypeMP4, ""},
		{"audio_only_mp4_is_not_a_video", KindVideo, syntheticMP4("isom", "soun"), "", "M4A audio"},
		{"mp4_without_moov_refused", KindVideo, mp4Box("ftyp", []byte("isom"), make([]byte, 4)), "", "truncated"},
		{"webm", KindVideo, ebml("webm"), TypeWebM, ""},
		{"matroska_is_not_webm", KindVideo, ebml("matroska"), "", "not WebM"},
		{"pdf_as_podcast_refused", KindPodcast, makePDF("x", 0), "", "its bytes are a PDF"},
		{"video_as_podcast_refused", KindPodcast, syntheticMP4("isom", "vide"), "", "an MP4 video"},
		{"empty_refused", KindBook, nil, "", "empty"},
		{"pdf_named_mp3_is_still_pdf", KindDocument, makePDF("song.mp3", 0), TypePDF, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Sniff(tc.kind, bytes.NewReader(tc.data), int64(len(tc.data)))
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Fatalf("Sniff = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			var r *Refusal
			if !errors.As(err, &r) || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("Sniff = %q, %v; want a refusal mentioning %q", got, err, tc.reason)
			}
		})
	}
}

// The files ffmpeg synthesises are recognised for their kinds.
func TestSniffSynthesisedMedia(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ ext, kind, want string }{
		{"mp3", KindPodcast, TypeMP3}, {"m4a", KindPodcast, TypeM4A}, {"ogg", KindPodcast, TypeOgg},
		{"mp4", KindVideo, TypeMP4}, {"webm", KindVideo, TypeWebM},
	} {
		t.Run(tc.ext, func(t *testing.T) {
			data := mediaFile(t, tc.ext)
			if got, err := Sniff(tc.kind, bytes.NewReader(data), int64(len(data))); err != nil || got != tc.want {
				t.Fatalf("Sniff(%s) = %q, %v; want %q", tc.ext, got, err, tc.want)
			}
		})
	}
}

func TestSanitizeFilename(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"../../etc/passwd":              "passwd",
		`C:\Users\me\Book.pdf`:          "Book.pdf",
		"Tr\u00e4ume \"und\"; mehr.pdf": "Tr\u00e4ume und mehr.pdf",
		"evil\u202egpj.exe":             "evilgpj.exe",
		"...":                           "",
		"line\nbreak.txt":               "linebreak.txt",
	} {
		if got := SanitizeFilename(in); got != want {
			t.Errorf("SanitizeFilename(%q) = %q; want %q", in, got, want)
		}
	}
	if got := contentDisposition("Träume (1).pdf", "", TypePDF); got != `inline; filename="Tr_ume (1).pdf"; filename*=UTF-8''Tr%C3%A4ume%20%281%29.pdf` {
		t.Errorf("contentDisposition = %s", got)
	}
}

func TestRangeHints(t *testing.T) {
	t.Parallel()
	got := rangeHints("bytes=0-99, 200-, -50, 900-5000", 1000)
	want := map[int64]int64{0: 100, 200: 800, 950: 50, 900: 100}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("hint at %d = %d; want %d (all: %v)", k, got[k], v, got)
		}
	}
	if h := rangeHints("items=1-2", 10); h != nil {
		t.Errorf("non-byte range gave hints %v", h)
	}
}
