package processing

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/processing/hlscheck"
)

var videoDerivatives = []string{"rendition", "rendition_segment", "storyboard", "thumbnail"}

// synth runs ffmpeg in a temporary directory and returns the file out.
func synth(t *testing.T, files map[string]string, out string, args ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	args = append(append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1"}, args...), "-y", out)
	cmd := exec.Command("ffmpeg", args...)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %s: %v: %s", out, err, msg)
	}
	b, err := os.ReadFile(filepath.Join(dir, out))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const chapterMeta = ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=Opening\n" +
	"[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=3000\ntitle=Second part\n"

func TestLadderNeverUpscales(t *testing.T) {
	h, err := parseLadder("1080p, 240,480,720,480")
	if err != nil || !slices.Equal(h, []int{240, 480, 720, 1080}) {
		t.Fatalf("parseLadder = %v, %v", h, err)
	}
	heights := func(rs []rung) (out []int) {
		for _, r := range rs {
			out = append(out, r.Height)
		}
		return out
	}
	for _, c := range []struct {
		w, h int
		want []int
	}{
		{1920, 1080, []int{240, 480, 720, 1080}},
		{1280, 720, []int{240, 480, 720}},
		{640, 480, []int{240, 480}},
		{320, 240, []int{240}},
		{176, 144, []int{144}}, // smaller than every rung: its own size
		{175, 143, []int{142}},
		{1080, 1920, []int{426, 854, 1280, 1920}}, // portrait: rungs by the shorter side (240p is 240×426)
		{240, 426, []int{426}},
	} {
		rs := ladder(h, c.w, c.h)
		if !slices.Equal(heights(rs), c.want) {
			t.Errorf("%dx%d: %v, want %v", c.w, c.h, heights(rs), c.want)
		}
		for _, r := range rs {
			if r.Width%2 != 0 || r.Height%2 != 0 || r.Width > c.w || r.Height > c.h || r.VideoBitrate <= 0 {
				t.Errorf("%dx%d: rung %+v", c.w, c.h, r)
			}
		}
	}
	if r := newRung(1920, 1080, 720); r.Width != 1280 || r.codecs(true) != "avc1.4d401f,mp4a.40.2" {
		t.Errorf("720p rung %+v %s", r, r.codecs(true))
	}
	for _, bad := range []string{"", "abc", "100", "240,99999"} {
		if _, err := parseLadder(bad); err == nil {
			t.Errorf("parseLadder(%q) accepted", bad)
		}
	}
	c := DefaultConfig()
	c.HWAccel, c.HLSLadder = "quantum", "x"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "hwaccel") || !strings.Contains(err.Error(), "hls_ladder") {
		t.Errorf("Validate = %v", err)
	}
}

func TestStoryboardPlan(t *testing.T) {
	p := planStoryboard(25, 640, 360, 10*time.Second)
	if p.Count != 3 || p.Cols != 3 || p.Rows != 1 || p.Width != 160 || p.Height != 90 {
		t.Fatalf("plan %+v", p)
	}
	want := "WEBVTT\n\n00:00:00.000 --> 00:00:10.000\nstoryboard-001.jpg#xywh=0,0,160,90\n\n" +
		"00:00:10.000 --> 00:00:20.000\nstoryboard-001.jpg#xywh=160,0,160,90\n\n" +
		"00:00:20.000 --> 00:00:25.000\nstoryboard-001.jpg#xywh=320,0,160,90\n\n"
	if got := p.vtt(25); got != want {
		t.Errorf("vtt:\n%s\nwant:\n%s", got, want)
	}
	// Ten hours at 10 s would need 36 sheets: the interval grows to fit 20.
	long := planStoryboard(36000, 1920, 1080, 10*time.Second)
	if sheets := (long.Count + 99) / 100; sheets > storyboardSheets || long.Interval != 18 || long.Cols != 10 || long.Rows != 10 {
		t.Errorf("long plan %+v", long)
	}
	if !strings.Contains(long.vtt(36000), "storyboard-020.jpg#xywh=1440,") {
		t.Error("the last sheet is not referenced")
	}
}

// TestVideoRenditions processes a 4 s 640×480 video with sound and
// chapters: two rungs (240p, 480p), keyframe-aligned fMP4 segments that
// decode, a master playlist ffprobe reads, a storyboard and the chapters.
func TestVideoRenditions(t *testing.T) {
	t.Parallel()
	requireTools(t)
	video := synth(t, map[string]string{"meta.txt": chapterMeta}, "in.mkv",
		"-f", "lavfi", "-i", "testsrc2=duration=4:size=640x480:rate=25", "-f", "lavfi", "-i", "sine=frequency=330:duration=4",
		"-i", "meta.txt", "-map", "0:v", "-map", "1:a", "-map_chapters", "2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "libopus", "-b:a", "32k")
	store := moduletest.Stores(t)[0]
	cfg := testConfig()
	cfg.HLSSegmentSeconds, cfg.StoryboardInterval = 1, time.Second
	x := start(t, store, cfg, nil)
	up := x.upload(video, "video/x-matroska", "video")
	x.publish(up)
	x.expect(t, up, want{derivatives: []string{"chapters", "rendition", "rendition_segment", "storyboard", "thumbnail"},
		check: func(t *testing.T, x *harness, p processedV1) {
			dir := t.TempDir()
			for _, d := range p.Derivatives {
				b, err := x.bucket.ReadAll(context.Background(), d.ObjectKey)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(d.ObjectKey)), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			checkHLS(t, dir, 2)
			// The renditions as reported.
			rs := p.Content.Renditions
			if len(rs) != 2 || rs[0].Height != 240 || rs[0].Width != 320 || rs[1].Height != 480 || rs[1].Bandwidth <= rs[0].Bandwidth ||
				rs[1].Codecs != "avc1.4d401e,mp4a.40.2" {
				t.Errorf("renditions %+v", rs)
			}
			// Chapters, in the content and as Podcasting 2.0 JSON.
			cs := p.Content.Chapters
			if len(cs) != 2 || cs[0].Title != "Opening" || cs[1].Start != 1.5 || cs[1].End != 3 {
				t.Errorf("chapters %+v", cs)
			}
			var pc podcastChapters
			if err := json.Unmarshal(x.read(p, "chapters"), &pc); err != nil || pc.Version != "1.2.0" || len(pc.Chapters) != 2 ||
				pc.Chapters[1].Title != "Second part" || pc.Chapters[1].StartTime != 1.5 {
				t.Errorf("chapters.json %+v %v", pc, err)
			}
			// Storyboard: one sheet of 4×1 thumbnails of 160×120, and its cues.
			vtt, err := os.ReadFile(filepath.Join(dir, "storyboard.vtt"))
			if err != nil || strings.Count(string(vtt), "-->") != 4 || !strings.Contains(string(vtt), "storyboard-001.jpg#xywh=480,0,160,120") {
				t.Errorf("storyboard.vtt: %s %v", vtt, err)
			}
			out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0",
				filepath.Join(dir, "storyboard-001.jpg")).Output()
			if err != nil || strings.TrimSpace(string(out)) != "640,120" {
				t.Errorf("storyboard sheet is %q, %v; want 640,120", out, err)
			}
		}})
	for _, h := range []string{"240", "480"} {
		if got := testutil.ToFloat64(x.svc.m.transcoded.WithLabelValues(h)); got < 3.9 || got > 4.1 {
			t.Errorf("transcoded seconds at %sp: %v, want 4", h, got)
		}
	}
	u := decode[UploadCompleted](t, up)
	pr := x.progress(u.MediaID)
	if len(pr) == 0 {
		t.Log("no progress report (the transcodes took under a second)")
	}
	for _, r := range pr {
		if r.Progress < 0 || r.Progress > 1 || r.MediaID != u.MediaID {
			t.Errorf("progress %+v", r)
		}
	}
}

// checkHLS checks the HLS files in dir strictly: the master playlist's
// tags and attributes, each media playlist, keyframe-aligned segments of
// equal count, every segment decoding, and ffprobe reading the master.
func checkHLS(t *testing.T, dir string, rungs int) {
	t.Helper()
	master := readFileT(t, filepath.Join(dir, hlsMaster))
	variants, err := hlscheck.Master(master)
	if err != nil {
		t.Fatalf("master playlist: %v\n%s", err, master)
	}
	if len(variants) != rungs {
		t.Fatalf("%d variants, want %d:\n%s", len(variants), rungs, master)
	}
	var counts []int
	for _, v := range variants {
		media := readFileT(t, filepath.Join(dir, v.URI))
		mp, err := hlscheck.Media(media)
		if err != nil {
			t.Fatalf("%s: %v\n%s", v.URI, err, media)
		}
		counts = append(counts, len(mp.Segments))
		for _, seg := range mp.Segments {
			// Each segment decodes after its init segment, and starts on a keyframe.
			joined := filepath.Join(dir, "joined-"+seg)
			b := append(readFileT(t, filepath.Join(dir, mp.Init)), readFileT(t, filepath.Join(dir, seg))...)
			if err := os.WriteFile(joined, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", joined, "-f", "null", "-").CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("%s does not decode: %v %s", seg, err, out)
			}
			out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
				"-show_entries", "frame=key_frame", "-of", "csv=p=0", joined).Output()
			if err != nil || !strings.HasPrefix(strings.TrimSpace(string(out)), "1") {
				t.Errorf("%s does not start on a keyframe: %q %v", seg, out, err)
			}
		}
	}
	for _, c := range counts {
		if c != counts[0] || c < 2 {
			t.Errorf("segment counts %v: the rungs are not aligned", counts)
		}
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0",
		filepath.Join(dir, hlsMaster)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "h264") || !strings.Contains(string(out), "aac") {
		t.Errorf("ffprobe on the master playlist: %v\n%s", err, out)
	}
}

func readFileT(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path) //nolint:gosec // test files
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkAudioRendition checks audio.m4a: AAC, stereo, 48 kHz, with its
// loudness near -16 LUFS.
func checkAudioRendition(t *testing.T, b []byte) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "audio.m4a")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,channels,sample_rate", "-of", "csv=p=0", f).Output()
	if err != nil || strings.TrimSpace(string(out)) != "aac,48000,2" {
		t.Errorf("audio.m4a: %q %v", out, err)
	}
	// The EBU R128 summary's integrated loudness (the source tone is at
	// about -22 LUFS).
	meter, _ := exec.Command("ffmpeg", "-nostdin", "-nostats", "-hide_banner", "-i", f, "-af", "ebur128", "-f", "null", "-").CombinedOutput()
	var lufs float64
	for line := range strings.SplitSeq(string(meter), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "I:"); ok {
			lufs, _ = strconv.ParseFloat(strings.Fields(v)[0], 64)
		}
	}
	if lufs < -17 || lufs > -15 {
		t.Errorf("audio.m4a integrated loudness %.1f LUFS, want -16 ± 1", lufs)
	}
}

// TestChaptersOfAnMP3 reads ID3 CHAP chapters of an MP3 podcast.
func TestChaptersOfAnMP3(t *testing.T) {
	t.Parallel()
	requireTools(t)
	mp3 := synth(t, map[string]string{"meta.txt": chapterMeta}, "ch.mp3", "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
		"-i", "meta.txt", "-map", "0:a", "-map_chapters", "1", "-c:a", "libmp3lame", "-b:a", "64k", "-id3v2_version", "3")
	m4a := synth(t, map[string]string{"meta.txt": chapterMeta}, "ch.m4a", "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
		"-i", "meta.txt", "-map", "0:a", "-map_chapters", "1", "-c:a", "aac", "-b:a", "64k")
	wav := synth(t, nil, "tone.wav", "-f", "lavfi", "-i", "sine=frequency=440:duration=1")
	x := start(t, moduletest.Stores(t)[0], testConfig(), nil)
	up, upWav, upM4A := x.upload(mp3, "audio/mpeg", "podcast"), x.upload(wav, "audio/wav", "podcast"), x.upload(m4a, "audio/mp4", "podcast")
	x.publish(up)
	x.publish(upWav)
	x.publish(upM4A)
	x.expect(t, upM4A, want{derivatives: []string{"chapters", "waveform", "waveform_image"},
		check: func(t *testing.T, _ *harness, p processedV1) {
			if cs := p.Content.Chapters; len(cs) != 2 || cs[1].Title != "Second part" || cs[1].Start != 1.5 {
				t.Errorf("m4a chapters %+v", cs)
			}
		}})
	x.expect(t, up, want{derivatives: []string{"chapters", "waveform", "waveform_image"},
		check: func(t *testing.T, x *harness, p processedV1) {
			var pc podcastChapters
			if err := json.Unmarshal(x.read(p, "chapters"), &pc); err != nil || len(pc.Chapters) != 2 || pc.Chapters[0].Title != "Opening" ||
				pc.Chapters[1].StartTime != 1.5 {
				t.Errorf("chapters.json %+v %v", pc, err)
			}
		}})
	x.expect(t, upWav, want{derivatives: []string{"audio", "waveform", "waveform_image"},
		check: func(t *testing.T, x *harness, p processedV1) { checkAudioRendition(t, x.read(p, "audio")) }})
}

func TestTranscodeConcurrencyIsBounded(t *testing.T) {
	s := &Service{transcodes: make(chan struct{}, 1)}
	release, err := s.acquireTranscode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.acquireTranscode(ctx); err == nil {
		t.Fatal("a second transcode started while the only slot was taken")
	}
	release()
	again, err := s.acquireTranscode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	again()
}

func TestRotatedVideoIsProbedTurned(t *testing.T) {
	for _, c := range []struct{ name, stream string }{
		{"side_data", `"side_data_list":[{"side_data_type":"Display Matrix","rotation":-90}]`},
		{"tag", `"tags":{"rotate":"270"}`},
	} {
		doc := `{"streams":[{"codec_type":"video","codec_name":"h264","width":1920,"height":1080,"avg_frame_rate":"30/1",` + c.stream + `}],"format":{"duration":"1.0"}}`
		p, err := parseFFprobe([]byte(doc))
		if err != nil || p.Width != 1080 || p.Height != 1920 || p.FrameRate != 30 {
			t.Errorf("%s: %+v %v", c.name, p, err)
		}
	}
}

// TestRotatedVideoRendition: a phone-style video stored landscape with a
// quarter-turn display matrix becomes a portrait ladder, undistorted.
func TestRotatedVideoRendition(t *testing.T) {
	t.Parallel()
	requireTools(t)
	flat := synth(t, nil, "flat.mp4", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	// Stream copy writes the rotate tag as the display matrix.
	video := synth(t, map[string]string{"flat.mp4": string(flat)}, "rot.mp4", "-i", "flat.mp4", "-c", "copy", "-metadata:s:v:0", "rotate=90")
	cfg := testConfig()
	cfg.StoryboardInterval = 0
	x := start(t, moduletest.Stores(t)[0], cfg, nil)
	up := x.upload(video, "video/mp4", "video")
	x.publish(up)
	x.expect(t, up, want{derivatives: []string{"rendition", "rendition_segment", "thumbnail"},
		check: func(t *testing.T, x *harness, p processedV1) {
			if p.Content.Width != 240 || p.Content.Height != 320 {
				t.Errorf("content %dx%d, want 240x320", p.Content.Width, p.Content.Height)
			}
			rs := p.Content.Renditions
			if len(rs) != 1 || rs[0].Width != 240 || rs[0].Height != 320 {
				t.Fatalf("renditions %+v", rs)
			}
			dir := t.TempDir()
			for _, d := range p.Derivatives {
				b, _ := x.bucket.ReadAll(context.Background(), d.ObjectKey)
				_ = os.WriteFile(filepath.Join(dir, filepath.Base(d.ObjectKey)), b, 0o600)
			}
			out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
				"-of", "csv=p=0", filepath.Join(dir, hlsMaster)).Output()
			if f := strings.Fields(string(out)); err != nil || len(f) == 0 || f[0] != "240,320" {
				t.Errorf("the rendition's frames are %q (%v), want 240,320", out, err)
			}
		}})
}
