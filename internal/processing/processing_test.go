package processing

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// want is the expected outcome of one upload.
type want struct {
	derivatives []string // kinds, sorted
	check       func(t *testing.T, x *harness, p processedV1)
	reason      string // for a failure: part of the reason
}

func TestUploadsAreProcessed(t *testing.T) {
	t.Parallel()
	files := media(t)
	cases := []struct {
		name        string
		file        []byte
		contentType string
		kind        string
		want        want
	}{
		{"mp3_podcast_has_waveform", files["sine.mp3"], "audio/mpeg", "podcast", want{
			derivatives: []string{"waveform", "waveform_image"},
			check: func(t *testing.T, x *harness, p processedV1) {
				c := p.Content
				if c.DurationSeconds < 1.9 || c.DurationSeconds > 2.2 || !slices.Equal(c.Codecs, []string{"mp3"}) || c.Bitrate == 0 {
					t.Errorf("content = %+v", c)
				}
				var wf waveform
				if err := json.Unmarshal(x.read(p, "waveform"), &wf); err != nil {
					t.Fatal(err)
				}
				if wf.Length != 1000 || len(wf.Data) != 2000 || wf.SampleRate != waveformRate || wf.Bits != 16 {
					t.Errorf("waveform: length %d, %d values, rate %d", wf.Length, len(wf.Data), wf.SampleRate)
				}
				if peak := slices.Max(wf.Data); peak < 3000 {
					t.Errorf("a sine wave peaks at %d", peak)
				}
				if png := x.read(p, "waveform_image"); string(png[1:4]) != "PNG" {
					t.Error("waveform.png is not a PNG")
				}
			}}},
		{"mp3_with_cover_art_keeps_it", files["art.mp3"], "audio/mpeg", "podcast", want{
			derivatives: []string{"cover", "waveform", "waveform_image"},
			check: func(t *testing.T, x *harness, p processedV1) {
				if jpg := x.read(p, "cover"); len(jpg) < 100 || jpg[0] != 0xFF || jpg[1] != 0xD8 {
					t.Error("cover.jpg is not a JPEG")
				}
			}}},
		{"ogg_opus_podcast_gets_an_aac_rendition", files["sine.ogg"], "audio/ogg", "podcast", want{derivatives: []string{"audio", "waveform", "waveform_image"},
			check: func(t *testing.T, x *harness, p processedV1) {
				codecs("opus")(t, x, p)
				checkAudioRendition(t, x.read(p, "audio"))
			}}},
		{"m4a_podcast", files["sine.m4a"], "audio/mp4", "podcast", want{derivatives: []string{"waveform", "waveform_image"},
			check: codecs("aac")}},
		{"mp4_video_has_thumbnail", files["testsrc.mp4"], "video/mp4", "video", want{derivatives: videoDerivatives,
			check: func(t *testing.T, x *harness, p processedV1) {
				c := p.Content
				if c.Width != 320 || c.Height != 240 || !slices.Equal(c.Codecs, []string{"h264"}) || c.DurationSeconds < 1.9 {
					t.Errorf("content = %+v", c)
				}
				if jpg := x.read(p, "thumbnail"); jpg[0] != 0xFF || jpg[1] != 0xD8 {
					t.Error("thumbnail.jpg is not a JPEG")
				}
			}}},
		{"webm_video_has_thumbnail", files["testsrc.webm"], "video/webm", "video", want{derivatives: videoDerivatives,
			check: codecs("vp8")}},
		{"pdf_book_has_cover_and_text", makePDF("A tiny test", "Hello Alexandria", 1), "application/pdf", "book", want{
			derivatives: []string{"cover", "text"},
			check: func(t *testing.T, x *harness, p processedV1) {
				if p.Content.Pages != 1 || p.Content.Title != "A tiny test" {
					t.Errorf("content = %+v", p.Content)
				}
				if text := string(x.read(p, "text")); !strings.Contains(text, "Hello Alexandria") {
					t.Errorf("text = %q", text)
				}
			}}},
		{"scanned_pdf_without_text_has_only_a_cover", makePDF("Scan", "", 1), "application/pdf", "document", want{
			derivatives: []string{"cover"}}},
		{"epub_book_has_cover_and_text", makeZip(t, epubEntries()), "application/epub+zip", "book", want{
			derivatives: []string{"cover", "text"},
			check: func(t *testing.T, x *harness, p processedV1) {
				c := p.Content
				if c.Title != "The Library of Alexandria" || c.Language != "en" || c.Pages != 2 {
					t.Errorf("content = %+v", c)
				}
				if text := string(x.read(p, "text")); !strings.Contains(text, "every book & scroll") || strings.Contains(text, "hidden") {
					t.Errorf("text = %q", text)
				}
			}}},
		{"markdown_document_is_text", []byte("# Notes\n\nSome *markdown*.\n"), "text/markdown; charset=utf-8", "document", want{
			derivatives: []string{"text"},
			check: func(t *testing.T, x *harness, p processedV1) {
				if text := string(x.read(p, "text")); text != "# Notes\n\nSome *markdown*.\n" {
					t.Errorf("text = %q", text)
				}
			}}},
	}
	for _, store := range moduletest.Stores(t) {
		t.Run(store.Name, func(t *testing.T) {
			t.Parallel()
			x := start(t, store, testConfig(), nil)
			uploads := make([]bus.Event, len(cases))
			for i, c := range cases {
				uploads[i] = x.upload(c.file, c.contentType, c.kind)
				x.publish(uploads[i])
			}
			for i, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					x.expect(t, uploads[i], c.want)
				})
			}
		})
	}
}

func TestHostileFilesFailCleanly(t *testing.T) {
	t.Parallel()
	files := media(t)
	// Distinct garbage per case: one shared object rewritten while a worker
	// reads it would make a transient error (and a retry) of the test's own.
	garbage := func() []byte {
		b := make([]byte, 64<<10)
		_, _ = rand.Read(b)
		return b
	}
	mp4 := files["testsrc.mp4"]
	cases := []struct {
		name        string
		file        []byte
		contentType string
		kind        string
		reason      string
	}{
		{"truncated_mp4", mp4[:len(mp4)/2], "video/mp4", "video", "the file could not be read as a video"},
		{"epub_zip_bomb_declared_size", bombDeclaredSize(t), "application/epub+zip", "book", "unpacks to more than"},
		{"epub_zip_bomb_many_entries", bombManyEntries(t, 12000), "application/epub+zip", "book", "too many files"},
		{"epub_zip_bomb_ratio", bombRatio(t), "application/epub+zip", "book", "compressed more than"},
		{"pdf_of_100000_pages", makePDF("Endless", "page one", 100000), "application/pdf", "book", "too many pages"},
		{"garbage_as_video", garbage(), "video/mp4", "video", "the file could not be read as a video"},
		{"garbage_as_audio", garbage(), "audio/mpeg", "podcast", "the file could not be read as audio"},
		{"garbage_as_pdf", garbage(), "application/pdf", "document", "the file could not be read as a PDF"},
		{"garbage_as_epub", garbage(), "application/epub+zip", "book", "not a readable zip"},
		{"video_without_video", files["sine.m4a"], "video/mp4", "video", "no video stream"},
		{"unsupported_type", []byte("GIF89a"), "image/gif", "document", "cannot be processed"},
	}
	for _, store := range moduletest.Stores(t) {
		t.Run(store.Name, func(t *testing.T) {
			t.Parallel()
			x := start(t, store, testConfig(), nil)
			uploads := make([]bus.Event, len(cases))
			for i, c := range cases {
				uploads[i] = x.upload(c.file, c.contentType, c.kind)
				x.publish(uploads[i])
			}
			for i, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					x.expect(t, uploads[i], want{reason: c.reason})
				})
			}
			// The workers survived all of it.
			after := x.upload(makePDF("After", "still alive", 1), "application/pdf", "document")
			x.publish(after)
			x.expect(t, after, want{derivatives: []string{"cover", "text"}})
		})
	}
}

// expect waits for the outcome of upload and checks it.
func (x *harness) expect(t *testing.T, upload bus.Event, w want) {
	t.Helper()
	u := decode[UploadCompleted](t, upload)
	e := x.wait(u.MediaID)
	if e.Subject != "media/"+u.MediaID || e.Source != "/alexandria/processing" || e.CorrelationID == "" {
		t.Errorf("envelope: subject %q source %q", e.Subject, e.Source)
	}
	j := x.job(upload)
	if w.reason != "" {
		if e.Type != EventMediaFailed {
			t.Fatalf("got %s, want %s: %s", e.Type, EventMediaFailed, e.Data)
		}
		f := decode[failedV1](t, e)
		if !strings.Contains(f.Reason, w.reason) || f.MediaID != u.MediaID || f.ObjectKey != u.ObjectKey || f.SHA256 != u.SHA256 ||
			!f.UploadedAt.Equal(stamp(u.CompletedAt)) {
			t.Errorf("failed = %+v, want a reason with %q", f, w.reason)
		}
		// The reason is for the media's members: a fixed sentence per kind
		// of failure, never a tool's diagnostic (that stays in the logs).
		for _, leak := range []string{toolFFmpeg, toolFFprobe, toolPDFInfo, toolPDFToPPM, toolPDFToText, "original", "Invalid data"} {
			if strings.Contains(f.Reason, leak) {
				t.Errorf("the reason %q shows the tool's output (%q)", f.Reason, leak)
			}
		}
		if j.State != stateFailed || j.Attempts != 1 {
			t.Errorf("job state %s after %d attempts, want failed after 1 (last error %q)", j.State, j.Attempts, j.LastError)
		}
		return
	}
	if e.Type != EventMediaProcessed {
		t.Fatalf("got %s, want %s: %s", e.Type, EventMediaProcessed, e.Data)
	}
	p := decode[processedV1](t, e)
	if p.MediaID != u.MediaID || p.ObjectKey != u.ObjectKey || p.Content.SHA256 != u.SHA256 || p.Content.Size != u.Size ||
		p.Content.ContentType != u.ContentType || !p.UploadedAt.Equal(stamp(u.CompletedAt)) {
		t.Errorf("processed = %+v", p)
	}
	var kinds []string
	for _, d := range p.Derivatives {
		kinds = append(kinds, d.Kind)
		prefix := "derivatives/" + u.MediaID + "/" + u.SHA256 + "/"
		if !strings.HasPrefix(d.ObjectKey, prefix) || d.Size <= 0 || d.ContentType == "" {
			t.Errorf("derivative %+v", d)
		}
		attrs, err := x.bucket.Attributes(context.Background(), d.ObjectKey)
		if err != nil || attrs.Size != d.Size || attrs.ContentType != d.ContentType {
			t.Errorf("stored %s: %+v, %v", d.ObjectKey, attrs, err)
		}
	}
	slices.Sort(kinds)
	kinds = slices.Compact(kinds)
	if !slices.Equal(kinds, w.derivatives) {
		t.Errorf("derivatives %v, want %v", kinds, w.derivatives)
	}
	if j.State != stateDone || j.Result == nil {
		t.Errorf("job state %s", j.State)
	}
	if w.check != nil {
		w.check(t, x, p)
	}
}

// read returns the bytes of the derivative of the given kind.
func (x *harness) read(p processedV1, kind string) []byte {
	x.t.Helper()
	for _, d := range p.Derivatives {
		if d.Kind == kind {
			b, err := x.bucket.ReadAll(context.Background(), d.ObjectKey)
			if err != nil {
				x.t.Fatal(err)
			}
			return b
		}
	}
	x.t.Fatalf("no %s derivative", kind)
	return nil
}

func codecs(want ...string) func(t *testing.T, x *harness, p processedV1) {
	return func(t *testing.T, _ *harness, p processedV1) {
		if !slices.Equal(p.Content.Codecs, want) {
			t.Errorf("codecs %v, want %v", p.Content.Codecs, want)
		}
	}
}
