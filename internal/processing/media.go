package processing

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// Audio and video: ffprobe for the metadata; ffmpeg for a video frame,
// embedded cover art, and the decoded samples of the waveform.

// Output bounds given to ffmpeg (-fs) and checked afterwards.
const (
	maxImageBytes = 16 << 20
	// thumbnailSize is the longest side of covers and thumbnails.
	thumbnailSize = 1024
)

// ffmpegArgs starts every ffmpeg command line: no stdin, no banner, errors
// only, one thread.
func ffmpegArgs(args ...string) []string {
	return append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1"}, args...)
}

// scaleFilter fits an image within thumbnailSize pixels, never enlarging.
var scaleFilter = fmt.Sprintf("scale=w='min(%d,iw)':h='min(%d,ih)':force_original_aspect_ratio=decrease", thumbnailSize, thumbnailSize)

// probeMedia runs ffprobe and checks the limits every audio or video file
// must meet.
func (w *work) probeMedia(ctx context.Context) (mediaProbe, error) {
	out, err := w.s.tools.run(ctx, w.dir, w.timeout, toolFFprobe, ffprobeArgs("original")...)
	if err != nil {
		return mediaProbe{}, err
	}
	p, err := parseFFprobe(out)
	if err != nil {
		return p, badInput("%s", unreadable(family(w.j.ContentType)))
	}
	if p.Duration > w.s.cfg.MaxDuration.Seconds() {
		return p, badInput("the file is longer than %s", w.s.cfg.MaxDuration)
	}
	c := &w.res.Content
	c.DurationSeconds, c.Bitrate, c.Codecs, c.Width, c.Height = p.Duration, p.Bitrate, p.Codecs, p.Width, p.Height
	c.Chapters = p.Chapters
	return p, nil
}

// video probes a video and takes its thumbnail at 10% of its length.
func (w *work) video(ctx context.Context) error {
	p, err := w.probeMedia(ctx)
	if err != nil {
		return err
	}
	if !p.HasVideo || p.Width <= 0 || p.Height <= 0 {
		return badInput("the file has no video stream")
	}
	at := strconv.FormatFloat(p.Duration*0.1, 'f', 3, 64)
	err = w.frame(ctx, at)
	if err != nil {
		// A damaged or short file may have no decodable frame there; the
		// first frame is the fallback.
		if err = w.frame(ctx, "0"); err != nil {
			return err
		}
	}
	if err := w.put(ctx, "thumbnail", "thumbnail.jpg", "image/jpeg"); err != nil {
		return err
	}
	if err := w.chaptersJSON(ctx); err != nil {
		return err
	}
	if w.s.cfg.StoryboardInterval > 0 {
		if err := w.storyboard(ctx, p); err != nil {
			return err
		}
	}
	if w.s.cfg.HLS {
		return w.hls(ctx, p)
	}
	return nil
}

// frame writes the frame at seconds as thumbnail.jpg.
func (w *work) frame(ctx context.Context, at string) error {
	args := ffmpegArgs("-ss", at, "-i", "original", "-map", "0:v:0", "-an", "-sn", "-frames:v", "1",
		"-vf", scaleFilter, "-q:v", "3", "-fs", strconv.Itoa(maxImageBytes), "-f", "image2", "-update", "1", "-y", "thumbnail.jpg")
	return w.s.tools.runToFile(ctx, w.dir, w.timeout, w.path("thumbnail.jpg"), maxImageBytes, toolFFmpeg, args...)
}

// audio probes audio, computes its waveform, and keeps its embedded cover
// art or else draws the waveform as an image.
func (w *work) audio(ctx context.Context) error {
	p, err := w.probeMedia(ctx)
	if err != nil {
		return err
	}
	if !p.HasAudio {
		return badInput("the file has no audio stream")
	}
	wf, err := w.waveform(ctx, p.Duration)
	if err != nil {
		return err
	}
	b, err := json.Marshal(wf)
	if err != nil {
		return err
	}
	if err := os.WriteFile(w.path("waveform.json"), b, 0o600); err != nil {
		return err
	}
	if err := w.put(ctx, "waveform", "waveform.json", "application/json"); err != nil {
		return err
	}
	if err := renderWaveform(wf, w.path("waveform.png"), 1200, 240); err != nil {
		return err
	}
	if err := w.put(ctx, "waveform_image", "waveform.png", "image/png"); err != nil {
		return err
	}
	if err := w.chaptersJSON(ctx); err != nil {
		return err
	}
	if w.s.cfg.AudioRendition && needsAudioRendition(p.Codecs) {
		if err := w.audioRendition(ctx, p); err != nil {
			return err
		}
	}
	if p.ArtCodec == "" {
		return nil
	}
	// Embedded art is copied as it is when it is a JPEG or PNG; art that
	// cannot be read is skipped (the waveform image stands in for it).
	name, ctype, codec := "cover.jpg", "image/jpeg", []string{"-c:v", "copy"}
	switch p.ArtCodec {
	case "mjpeg":
	case "png":
		name, ctype = "cover.png", "image/png"
	default:
		codec = []string{"-vf", scaleFilter, "-q:v", "3"}
	}
	args := ffmpegArgs(append(append([]string{"-i", "original", "-map", "0:v:0", "-an", "-frames:v", "1"}, codec...),
		"-fs", strconv.Itoa(maxImageBytes), "-f", "image2", "-update", "1", "-y", name)...)
	if err := w.s.tools.runToFile(ctx, w.dir, w.timeout, w.path(name), maxImageBytes, toolFFmpeg, args...); err != nil {
		if _, final := permanent(err, familyAudio); !final {
			return err
		}
		w.s.log.InfoContext(ctx, "embedded cover art skipped", "job", w.j.ID, "error", err)
		return nil
	}
	return w.put(ctx, "cover", name, ctype)
}

// waveform decodes the audio to mono 16-bit PCM at waveformRate on
// ffmpeg's stdout and folds it into peaks as it streams.
func (w *work) waveform(ctx context.Context, duration float64) (waveform, error) {
	folder := newPeakFolder(w.s.cfg.WaveformPoints)
	args := ffmpegArgs("-i", "original", "-map", "0:a:0", "-vn", "-sn", "-ac", "1", "-ar", strconv.Itoa(waveformRate),
		"-t", strconv.FormatFloat(w.s.cfg.MaxDuration.Seconds(), 'f', 0, 64), "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1")
	var samples int64
	timeout := w.timeout + time.Duration(duration/20)*time.Second // decoding runs at well over 20× real time
	err := w.s.tools.stream(ctx, w.dir, min(timeout, w.s.cfg.JobTimeout), toolFFmpeg, args, func(r io.Reader) error {
		n, err := foldPCM(r, folder)
		samples = n
		return err
	})
	if err != nil {
		return waveform{}, err
	}
	if samples == 0 {
		return waveform{}, badInput("the audio could not be decoded")
	}
	return folder.result(), nil
}
