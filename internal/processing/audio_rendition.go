package processing

import (
	"context"
	"strconv"
	"time"
)

// The audio rendition. Every current browser plays MP3 and AAC (in MP4/M4A
// or ADTS); FLAC, WAV, Vorbis and Opus are not played everywhere (Safari
// on older iOS and macOS releases, some embedded players and podcast
// apps), and WAV is also needlessly large to stream. So the rule: an
// original whose audio is MP3 or AAC is served as it is; any other gets
// audio.m4a, AAC-LC 128 kb/s stereo at 48 kHz, loudness-normalised to
// -16 LUFS integrated, -1.5 dBTP (EBU R128 single-pass loudnorm, the level
// podcast platforms recommend), with its index at the front for
// progressive playback.

// browserFriendlyAudio are the codecs played as they are.
var browserFriendlyAudio = map[string]bool{"mp3": true, "aac": true}

// needsAudioRendition reports whether audio coded in codecs needs one.
func needsAudioRendition(codecs []string) bool {
	for _, c := range codecs {
		if !browserFriendlyAudio[c] {
			return true
		}
	}
	return len(codecs) == 0
}

// audioRendition makes and stores audio.m4a.
func (w *work) audioRendition(ctx context.Context, p mediaProbe) error {
	release, err := w.s.acquireTranscode(ctx)
	if err != nil {
		return err
	}
	defer release()
	args := ffmpegArgs("-i", "original", "-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1",
		"-af", "loudnorm=I=-16:TP=-1.5:LRA=11", "-c:a", "aac", "-b:a", strconv.Itoa(audioBitrate), "-ac", "2", "-ar", "48000",
		"-t", strconv.FormatFloat(w.s.cfg.MaxDuration.Seconds(), 'f', 0, 64),
		"-movflags", "+faststart", "-f", "mp4", "-y", "audio.m4a")
	timeout := min(w.timeout+time.Duration(p.Duration/10)*time.Second, w.s.cfg.JobTimeout)
	if err := w.s.tools.runToFile(ctx, w.dir, timeout, w.path("audio.m4a"), int64(w.s.cfg.MaxFileBytes), toolFFmpeg, args...); err != nil {
		return err
	}
	return w.put(ctx, "audio", "audio.m4a", "audio/mp4")
}
