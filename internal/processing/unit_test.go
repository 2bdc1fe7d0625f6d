package processing

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

func TestPeakFolder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		actual int // samples the decoder produced
	}{
		{"two_seconds", 16000},
		{"long_stream", 1_000_003},
		{"short_stream", 3000},
		{"fewer_samples_than_points", 500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newPeakFolder(1000)
			var pcm bytes.Buffer
			for i := range c.actual {
				v := int16(i % 200 * 100) //nolint:gosec // test ramp
				if i%2 == 1 {
					v = -v
				}
				_ = binary.Write(&pcm, binary.LittleEndian, v)
			}
			n, err := foldPCM(&pcm, f)
			if err != nil || n != int64(c.actual) {
				t.Fatalf("folded %d samples, err %v", n, err)
			}
			wf := f.result()
			if wf.Length > 1000 || len(wf.Data) != 2*wf.Length || wf.Length == 0 {
				t.Fatalf("length %d, data %d", wf.Length, len(wf.Data))
			}
			if c.actual >= 2000 && wf.Length < 500 {
				t.Errorf("only %d points for %d samples", wf.Length, c.actual)
			}
			for i := 0; i < len(wf.Data); i += 2 {
				if wf.Data[i] > wf.Data[i+1] {
					t.Fatalf("point %d: min %d > max %d", i/2, wf.Data[i], wf.Data[i+1])
				}
			}
		})
	}
}

func TestParseFFprobe(t *testing.T) {
	t.Parallel()
	out := []byte(`{"streams":[{"codec_type":"audio","codec_name":"mp3"},
		{"codec_type":"video","codec_name":"mjpeg","width":64,"height":64,"disposition":{"attached_pic":1}}],
		"format":{"duration":"2.037551","bit_rate":"73000"}}`)
	p, err := parseFFprobe(out)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasVideo || !p.HasAudio || p.ArtCodec != "mjpeg" || p.Duration != 2.038 || p.Bitrate != 73000 ||
		len(p.Codecs) != 1 || p.Codecs[0] != "mp3" || p.Width != 0 {
		t.Errorf("probe = %+v", p)
	}
}

func TestParsePDFInfo(t *testing.T) {
	t.Parallel()
	info, err := parsePDFInfo([]byte("Title:           A tiny\ttest\nProducer: x\nPages:           100000\n"))
	if err != nil || info.Pages != 100000 || info.Title != "A tiny test" {
		t.Errorf("info = %+v, %v", info, err)
	}
	if _, err := parsePDFInfo([]byte("Title: x\n")); err == nil {
		t.Error("no page count: want an error")
	}
}

func TestTruncateUTF8NeverSplitsACharacter(t *testing.T) {
	t.Parallel()
	s := "aé€😀"
	for n := range len(s) + 1 {
		got := truncateUTF8(s, n)
		if len(got) > n || !strings.HasPrefix(s, got) || strings.ToValidUTF8(got, "?") != got {
			t.Errorf("truncateUTF8(%q, %d) = %q", s, n, got)
		}
	}
}

func TestFamily(t *testing.T) {
	t.Parallel()
	for ctype, want := range map[string]string{
		"video/mp4": familyVideo, "audio/mpeg": familyAudio, "audio/ogg": familyAudio, "application/pdf": familyPDF,
		"application/epub+zip": familyEPUB, "text/markdown; charset=utf-8": familyText, "image/png": "", "": "",
	} {
		if got := family(ctype); got != want {
			t.Errorf("family(%q) = %q, want %q", ctype, got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	c := DefaultConfig()
	c.Workers, c.MaxPages, c.Lease, c.MemoryLimit = 0, 0, 0, 1000
	err := c.Validate()
	for _, want := range []string{"processing.workers:", "processing.max_pages:", "processing.lease:", "processing.memory_limit:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to mention %s", err, want)
		}
	}
}

func TestBackoffDoublesUpToTheCeiling(t *testing.T) {
	t.Parallel()
	got := []time.Duration{backoff(time.Second, 5*time.Second, 1), backoff(time.Second, 5*time.Second, 2),
		backoff(time.Second, 5*time.Second, 3), backoff(time.Second, 5*time.Second, 10)}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("backoff attempt %d = %s, want %s", i+1, got[i], want[i])
		}
	}
}

func TestToolTimeoutKillsTheProcessGroup(t *testing.T) {
	t.Parallel()
	requireTools(t)
	tl := findTools(DefaultConfig().MemoryLimit)
	start := time.Now()
	// An endless source: ffmpeg would run forever.
	_, err := tl.run(context.Background(), t.TempDir(), 300*time.Millisecond, toolFFmpeg,
		ffmpegArgs("-f", "lavfi", "-i", "sine", "-f", "null", "-")...)
	var te *toolError
	if !errors.As(err, &te) || !te.TimedOut {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("took %s to stop", took)
	}
	if reason, final := permanent(err, familyVideo); !final || reason != "processing timed out" {
		t.Errorf("reason = %q", reason)
	}
}

// TestToolFailureKeepsItsDiagnosticForTheLogs: the error (logged) carries
// the tool's diagnostic; the reason members read is a fixed sentence.
func TestToolFailureKeepsItsDiagnosticForTheLogs(t *testing.T) {
	t.Parallel()
	requireTools(t)
	dir := t.TempDir()
	_, err := findTools(DefaultConfig().MemoryLimit).run(context.Background(), dir, 10*time.Second, toolFFprobe, ffprobeArgs("original")...)
	if err == nil || !strings.Contains(err.Error(), "No such file") {
		t.Errorf("err = %v, want the tool's diagnostic", err)
	}
	cases := []struct{ family, reason string }{
		{familyVideo, "the file could not be read as a video"},
		{familyAudio, "the file could not be read as audio"},
		{familyPDF, "the file could not be read as a PDF"},
		{familyEPUB, "the file could not be read as an EPUB"},
		{"", "the file could not be processed"},
	}
	for _, c := range cases {
		if reason, final := permanent(err, c.family); !final || reason != c.reason {
			t.Errorf("%s: reason = %q, want %q", c.family, reason, c.reason)
		}
	}
}

func TestMemoryLimitAppliesToTools(t *testing.T) {
	t.Parallel()
	requireTools(t)
	tl := findTools(32 << 20)
	if tl.prlimit == "" {
		t.Skip("prlimit (util-linux) is not installed")
	}
	// 32 MiB of address space is less than ffmpeg needs to load its libraries.
	_, err := tl.run(context.Background(), t.TempDir(), 10*time.Second, toolFFmpeg, ffmpegArgs("-version")...)
	if err == nil {
		t.Fatal("ffmpeg ran within 32 MiB of address space: the limit is not applied")
	}
	if _, err := findTools(DefaultConfig().MemoryLimit).run(context.Background(), t.TempDir(), 10*time.Second, toolFFmpeg, ffmpegArgs("-version")...); err != nil {
		t.Fatalf("ffmpeg -version under the default limit: %v", err)
	}
}

func TestEventSchemasRender(t *testing.T) {
	t.Parallel()
	for _, spec := range Events {
		if _, err := events.Schema("processing", spec); err != nil {
			t.Errorf("%s: %v", spec.Type, err)
		}
	}
}
