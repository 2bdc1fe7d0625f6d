package processing

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
)

// Adaptive streaming: HLS with CMAF (fMP4) segments. Each rung of the
// ladder is one ffmpeg run (H.264 Main + AAC-LC stereo), its keyframes
// forced at every segment boundary and its GOP fixed at segment length ×
// frame rate, so every rung cuts at the same instants and a player can
// switch at any segment. The master playlist is written here, with the
// bandwidth measured from the segments ffmpeg made.
//
// Names are flat (the storage serves derivatives by name, and a
// playlist's relative URIs resolve beside it): hls.m3u8 is the master;
// hls-<sha8>-<height>p.m3u8 a rung's playlist, -init.mp4 its
// initialisation segment and -NNNNN.m4s its media segments. The sha8 (of
// the original) makes every name but the master's unique to one upload,
// so segments are cacheable forever.
//
// Partial outputs are never published: the objects are stored as the job
// runs, but only the processed event, recorded when the job finishes,
// makes storage serve them. A worker killed mid-transcode leaves its lease
// to expire; the next attempt runs the job in a fresh directory, keeps the
// rungs the killed one stored completely (resumeRung: a rung's playlist is
// stored after its segments) and transcodes the others, overwriting any
// partial rung's keys. What no finished job reported is deleted by the
// orphan sweeper (sweep.go).

// Content types of the HLS objects.
const (
	typePlaylist = "application/vnd.apple.mpegurl"
	typeInit     = "video/mp4"
	typeSegment  = "video/iso.segment"
	hlsMaster    = "hls.m3u8"
	audioBitrate = 128_000
)

// rung is one rendition of the ladder.
type rung struct {
	Width, Height int
	VideoBitrate  int
	Level         string // H.264 level, e.g. "3.1"
}

// codecs is the RFC 6381 CODECS value of the rung (H.264 Main profile).
func (r rung) codecs(audio bool) string {
	lv := map[string]string{"3.0": "1e", "3.1": "1f", "4.0": "28", "4.1": "29"}[r.Level]
	c := "avc1.4d40" + lv
	if audio {
		c += ",mp4a.40.2"
	}
	return c
}

// parseLadder reads a comma-separated list of heights.
func parseLadder(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), "p"))
		if f == "" {
			continue
		}
		h, err := strconv.Atoi(f)
		if err != nil || h < 144 || h > 2160 {
			return nil, fmt.Errorf("%q is not a height between 144 and 2160", f)
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no heights")
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// ladder chooses the rungs for a source of w×h: every configured height
// not above the source's (never upscaled); a source smaller than the
// lowest rung gets one rung at its own size. A rung's "height" is the
// frame's shorter side, as "720p" means for portrait video too.
func ladder(heights []int, w, h int) []rung {
	if w <= 0 || h <= 0 {
		return nil
	}
	short := min(w, h)
	var out []rung
	for _, rh := range heights {
		if rh <= short {
			out = append(out, fitRung(w, h, rh))
		}
	}
	if len(out) == 0 {
		out = append(out, fitRung(w, h, short&^1))
	}
	return out
}

// fitRung is the rung whose shorter side is s.
func fitRung(w, h, s int) rung {
	if w >= h {
		return newRung(w, h, s)
	}
	r := newRung(h, w, s) // the same frame turned: then swap back
	r.Width, r.Height = r.Height, r.Width
	return r
}

// newRung scales w×h to height rh (even dimensions) and picks its bitrate
// (about 0.1 bit per pixel per frame at 30 fps) and H.264 level.
func newRung(w, h, rh int) rung {
	rw := int(math.Round(float64(w)*float64(rh)/float64(h)/2)) * 2
	rw = max(rw, 2)
	px := rw * rh
	br := int(math.Round(float64(px)*30*0.09/1000)) * 1000
	br = max(br, 200_000)
	level := "3.0"
	switch {
	case px > 1280*720:
		level = "4.0"
	case px > 720*576:
		level = "3.1"
	}
	return rung{Width: rw, Height: rh, VideoBitrate: br, Level: level}
}

// rendition is a rung as made: its playlist and measured bandwidth.
type rendition struct {
	rung
	Playlist         string
	Bandwidth        int // peak segment bit rate
	AverageBandwidth int
	Codecs           string
	FrameRate        float64
}

// hls makes the ladder's renditions of the original and stores them, the
// master playlist last.
func (w *work) hls(ctx context.Context, p mediaProbe) error {
	heights, err := parseLadder(w.s.cfg.HLSLadder)
	if err != nil {
		return err
	}
	rungs := ladder(heights, p.Width, p.Height)
	tag := "hls-" + w.j.SHA256[:8]
	made := make([]rendition, 0, len(rungs))
	for _, r := range rungs {
		base := fmt.Sprintf("%s-%dp", tag, r.Height)
		if w.j.Attempts > 1 || w.j.LastError != "" {
			// An earlier attempt was interrupted (its worker killed, the
			// store down, the process stopped): keep the rungs it stored.
			rd, ok, err := w.resumeRung(ctx, p, r, base)
			if err != nil {
				return err
			}
			if ok {
				made = append(made, rd)
				continue
			}
		}
		rd, err := w.transcode(ctx, p, r, base)
		if err != nil {
			return err
		}
		made = append(made, rd)
	}
	if err := os.WriteFile(w.path(hlsMaster), []byte(masterPlaylist(made)), 0o600); err != nil {
		return err
	}
	return w.put(ctx, "rendition", hlsMaster, typePlaylist)
}

// transcode makes one rung under the name prefix base and stores its
// segments, then its playlist.
func (w *work) transcode(ctx context.Context, p mediaProbe, r rung, base string) (rendition, error) {
	release, err := w.s.acquireTranscode(ctx)
	if err != nil {
		return rendition{}, err
	}
	defer release()
	seg := w.s.cfg.HLSSegmentSeconds
	fps := p.FrameRate
	if fps <= 0 || fps > 120 {
		fps = 30
	}
	args := transcodeArgs(w.s.cfg.HWAccel, r, p.HasAudio, fps, seg, w.s.cfg.MaxDuration, base)
	timeout := min(w.timeout+time.Duration(p.Duration*float64(r.Height)/48)*time.Second, w.s.cfg.JobTimeout)
	began := time.Now()
	err = w.s.tools.stream(ctx, w.dir, timeout, toolFFmpeg, args, func(out io.Reader) error {
		return w.followProgress(ctx, out, p.Duration)
	})
	if err != nil {
		return rendition{}, err
	}
	height := strconv.Itoa(r.Height)
	w.s.m.transcode.WithLabelValues(height).Observe(time.Since(began).Seconds())
	w.s.m.transcoded.WithLabelValues(height).Add(p.Duration)
	segs, dur, err := readMediaPlaylist(w.path(base + ".m3u8"))
	if err != nil {
		return rendition{}, &toolError{Tool: toolFFmpeg, Err: err}
	}
	rd := rendition{rung: r, Playlist: base + ".m3u8", Codecs: r.codecs(p.HasAudio), FrameRate: fps}
	if err := w.put(ctx, "rendition_segment", base+"-init.mp4", typeInit); err != nil {
		return rendition{}, err
	}
	sizes := make([]int64, len(segs))
	for i, name := range segs {
		if !segmentOf(name, base) {
			return rendition{}, &toolError{Tool: toolFFmpeg, Err: fmt.Errorf("unexpected segment name %q", name)}
		}
		fi, err := os.Stat(w.path(name))
		if err != nil {
			return rendition{}, err
		}
		sizes[i] = fi.Size()
		if err := w.put(ctx, "rendition_segment", name, typeSegment); err != nil {
			return rendition{}, err
		}
		_ = os.Remove(w.path(name)) // the job directory holds one rung at a time
	}
	rd.Bandwidth, rd.AverageBandwidth = bandwidths(sizes, dur)
	// The rung's playlist is stored last: its presence in the store says
	// the whole rung is there (resumeRung relies on it).
	if err := w.put(ctx, "rendition", rd.Playlist, typePlaylist); err != nil {
		return rendition{}, err
	}
	w.res.Renditions = append(w.res.Renditions, renditionInfo{Name: rd.Playlist, Width: r.Width, Height: r.Height,
		Bandwidth: rd.Bandwidth, Codecs: rd.Codecs})
	return rd, nil
}

// segmentOf reports whether name is a flat segment name of the rung base.
func segmentOf(name, base string) bool {
	return !strings.Contains(name, "/") && !strings.Contains(name, "..") && strings.HasPrefix(name, base+"-")
}

// bandwidths are the peak and average bit rates of segments of the given
// sizes (bytes) and durations (seconds); the peak is never below the
// average.
func bandwidths(sizes []int64, dur []float64) (peak, average int) {
	var total int64
	var all float64
	for i, n := range sizes {
		total += n
		all += dur[i]
		if dur[i] > 0 {
			peak = max(peak, int(float64(n*8)/dur[i]))
		}
	}
	if all > 0 {
		average = int(float64(total*8) / all)
	}
	return max(peak, average), average
}

// resumeRung takes rung r from the store when an earlier attempt of this
// job stored all of it: its playlist (stored last), its init segment and
// every segment the playlist lists. ok is false when any is missing; the
// rung is then transcoded again and overwrites what is there. The job's
// keys are its own (media, original and rung in the name), so what is
// found was made from the same bytes.
func (w *work) resumeRung(ctx context.Context, p mediaProbe, r rung, base string) (rd rendition, ok bool, err error) {
	prefix := derivativePrefix(w.j.MediaID, w.j.SHA256)
	playlist := base + ".m3u8"
	if err := w.s.objects.GetFile(ctx, prefix+playlist, w.path(playlist), 4<<20); err != nil {
		if blob.IsNotFound(err) {
			return rendition{}, false, nil
		}
		return rendition{}, false, fmt.Errorf("resume %s: %w", playlist, err)
	}
	segs, dur, err := readMediaPlaylist(w.path(playlist))
	if err != nil {
		return rendition{}, false, nil //nolint:nilerr // an unreadable playlist: transcode the rung again
	}
	size := func(name string) (int64, bool, error) {
		a, err := w.s.objects.Attributes(ctx, prefix+name)
		if blob.IsNotFound(err) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, fmt.Errorf("resume %s: %w", name, err)
		}
		return a.Size, true, nil
	}
	initSize, found, err := size(base + "-init.mp4")
	if err != nil || !found {
		return rendition{}, false, err
	}
	sizes := make([]int64, len(segs))
	for i, name := range segs {
		if !segmentOf(name, base) {
			return rendition{}, false, nil
		}
		if sizes[i], found, err = size(name); err != nil || !found {
			return rendition{}, false, err
		}
	}
	fi, err := os.Stat(w.path(playlist))
	if err != nil {
		return rendition{}, false, err
	}
	fps := p.FrameRate
	if fps <= 0 || fps > 120 {
		fps = 30
	}
	rd = rendition{rung: r, Playlist: playlist, Codecs: r.codecs(p.HasAudio), FrameRate: fps}
	rd.Bandwidth, rd.AverageBandwidth = bandwidths(sizes, dur)
	add := func(kind, name, contentType string, n int64) {
		w.res.Derivatives = append(w.res.Derivatives, derivative{Kind: kind, ObjectKey: prefix + name, ContentType: contentType, Size: n})
	}
	add("rendition_segment", base+"-init.mp4", typeInit, initSize)
	for i, name := range segs {
		add("rendition_segment", name, typeSegment, sizes[i])
	}
	add("rendition", playlist, typePlaylist, fi.Size())
	w.res.Renditions = append(w.res.Renditions, renditionInfo{Name: rd.Playlist, Width: r.Width, Height: r.Height,
		Bandwidth: rd.Bandwidth, Codecs: rd.Codecs})
	w.s.m.resumed.Inc()
	w.s.log.InfoContext(ctx, "rendition kept from an earlier attempt", slog.String("job", w.j.ID), slog.String("rendition", playlist))
	return rd, true, nil
}

// transcodeArgs is the ffmpeg command line of rung r of the original, in
// segments of seg seconds named after base, with the encoder hw.
func transcodeArgs(hw string, r rung, audio bool, fps float64, seg int, maxDuration time.Duration, base string) []string {
	gop := max(int(math.Round(float64(seg)*fps)), 1)
	args := ffmpegArgs(hwaccelInput(hw)...)
	args = append(args, "-i", "original", "-map", "0:v:0")
	if audio {
		args = append(args, "-map", "0:a:0")
	}
	args = append(args, "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1", "-vf", scaleTo(hw, r))
	args = append(args, videoEncoder(hw, r, gop, seg)...)
	if audio {
		args = append(args, "-c:a", "aac", "-b:a", strconv.Itoa(audioBitrate), "-ac", "2", "-ar", "48000")
	}
	return append(args, "-threads", "1", "-progress", "pipe:1", "-nostats",
		"-t", strconv.FormatFloat(maxDuration.Seconds(), 'f', 0, 64),
		"-f", "hls", "-hls_time", strconv.Itoa(seg), "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
		"-hls_flags", "independent_segments", "-hls_fmp4_init_filename", base+"-init.mp4",
		"-hls_segment_filename", base+"-%05d.m4s", "-y", base+".m3u8")
}

// TranscodeArgs is the ffmpeg command line (without the program) that
// makes the rung of the given height of a width×height original called
// "original" in the working directory, as a worker runs it with hwaccel
// none: the transcoding benchmark runs it bare as its baseline.
func TranscodeArgs(width, height, rungHeight int, fps float64, audio bool, segSeconds int) []string {
	return transcodeArgs("none", newRung(width, height, rungHeight), audio, fps, segSeconds, 24*time.Hour, "bench")
}

// followProgress reads ffmpeg's -progress lines and reports the share of
// the source transcoded.
func (w *work) followProgress(ctx context.Context, out io.Reader, duration float64) error {
	sc := bufio.NewScanner(out)
	last := time.Time{}
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || k != "out_time_us" || duration <= 0 {
			continue
		}
		us, err := strconv.ParseInt(v, 10, 64)
		if err != nil || us < 0 {
			continue
		}
		if time.Since(last) >= time.Second {
			last = time.Now()
			w.s.reportProgress(ctx, w.j, min(float64(us)/1e6/duration, 1))
		}
	}
	return sc.Err()
}

// readMediaPlaylist reads the segment URIs and durations of a media
// playlist ffmpeg wrote.
func readMediaPlaylist(path string) (segs []string, durs []float64, err error) {
	b, err := os.ReadFile(path) //nolint:gosec // the job's own file
	if err != nil {
		return nil, nil, err
	}
	var next float64
	for line := range strings.SplitSeq(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "#EXTINF:"):
			v, _, _ := strings.Cut(strings.TrimPrefix(line, "#EXTINF:"), ",")
			next, _ = strconv.ParseFloat(v, 64)
		case line == "" || strings.HasPrefix(line, "#"):
		default:
			segs, durs = append(segs, line), append(durs, next)
		}
	}
	if len(segs) == 0 {
		return nil, nil, fmt.Errorf("the playlist has no segments")
	}
	return segs, durs, nil
}

// masterPlaylist lists the renditions, lowest first.
func masterPlaylist(rs []rendition) string {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Bandwidth < rs[j].Bandwidth })
	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d,AVERAGE-BANDWIDTH=%d,RESOLUTION=%dx%d,CODECS=\"%s\",FRAME-RATE=%.3f\n%s\n",
			r.Bandwidth, r.AverageBandwidth, r.Width, r.Height, r.Codecs, r.FrameRate, r.Playlist)
	}
	return b.String()
}

// scaleTo is the video filter of rung r: scaled in software, uploaded
// to the device for VAAPI.
func scaleTo(hw string, r rung) string {
	if hw == "vaapi" {
		return fmt.Sprintf("scale=%d:%d:flags=bicubic,format=nv12,hwupload", r.Width, r.Height)
	}
	return fmt.Sprintf("scale=%d:%d:flags=bicubic,format=yuv420p", r.Width, r.Height)
}

// hwaccelInput are the input options of the configured acceleration.
func hwaccelInput(hw string) []string {
	switch hw {
	case "vaapi":
		return []string{"-vaapi_device", "/dev/dri/renderD128"}
	case "nvenc":
		return []string{"-hwaccel", "cuda"}
	}
	return nil
}

// videoEncoder are the encoder options of rung r: a fixed GOP of gop
// frames, no scene-cut keyframes, a keyframe forced at every segment
// boundary, capped bit rate.
func videoEncoder(hw string, r rung, gop, seg int) []string {
	rate := strconv.Itoa(r.VideoBitrate)
	common := []string{"-g", strconv.Itoa(gop), "-keyint_min", strconv.Itoa(gop),
		"-force_key_frames", fmt.Sprintf("expr:gte(t,n_forced*%d)", seg),
		"-b:v", rate, "-maxrate", strconv.Itoa(r.VideoBitrate * 3 / 2), "-bufsize", strconv.Itoa(r.VideoBitrate * 2)}
	switch hw {
	case "vaapi":
		return append([]string{"-c:v", "h264_vaapi", "-profile:v", "main"}, common...)
	case "nvenc":
		return append([]string{"-c:v", "h264_nvenc", "-profile:v", "main", "-level:v", r.Level}, common...)
	}
	return append([]string{"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-level:v", r.Level,
		"-sc_threshold", "0"}, common...)
}

// acquireTranscode waits for one of the transcode_concurrency slots.
func (s *Service) acquireTranscode(ctx context.Context) (func(), error) {
	select {
	case s.transcodes <- struct{}{}:
		return func() { <-s.transcodes }, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}
