package processing

import (
	"errors"
	"fmt"
	"time"
)

// Config tunes the worker pool and bounds every job in time, memory and
// size. The section is "processing" in the root configuration.
type Config struct {
	Workers      int           `yaml:"workers" env:"WORKERS" doc:"jobs processed at once by this process (each runs single-threaded tools)"`
	PollInterval time.Duration `yaml:"poll_interval" env:"POLL_INTERVAL" doc:"how often an idle worker looks for queued jobs (new uploads also wake it)"`
	Lease        time.Duration `yaml:"lease" env:"LEASE" doc:"how long a claimed job is reserved without a heartbeat; a job whose worker died is taken again after it"`
	MaxAttempts  int           `yaml:"max_attempts" env:"MAX_ATTEMPTS" doc:"attempts of a job that meets transient errors (store unavailable) or loses its worker before it fails"`
	RetryInitial time.Duration `yaml:"retry_initial" env:"RETRY_INITIAL" doc:"wait before a job's second attempt; doubles each time"`
	RetryMax     time.Duration `yaml:"retry_max" env:"RETRY_MAX" doc:"longest wait between attempts"`
	JobTimeout   time.Duration `yaml:"job_timeout" env:"JOB_TIMEOUT" doc:"longest a job may run, tools included"`
	ToolTimeout  time.Duration `yaml:"tool_timeout" env:"TOOL_TIMEOUT" doc:"longest one external tool may run on a small file; grows with the file (1 s per 8 MiB), up to job_timeout"`
	MemoryLimit  int           `yaml:"memory_limit" env:"MEMORY_LIMIT" doc:"address-space limit of each external tool in bytes, applied with prlimit(1) when it is installed; 0 disables"`
	WorkDir      string        `yaml:"work_dir" env:"WORK_DIR" doc:"directory for per-job temporary files (default <data dir>/processing-work)"`
	MaxFileBytes int           `yaml:"max_file_bytes" env:"MAX_FILE_BYTES" doc:"largest original a job fetches from the object store"`
	MaxPages     int           `yaml:"max_pages" env:"MAX_PAGES" doc:"PDFs with more pages fail (too many pages)"`
	MaxDuration  time.Duration `yaml:"max_duration" env:"MAX_DURATION" doc:"audio and video longer than this fail"`
	MaxTextBytes int           `yaml:"max_text_bytes" env:"MAX_TEXT_BYTES" doc:"extracted text kept for search (text.txt) is cut at this size"`
	// The EPUB guards: an EPUB is a zip read in memory, entry by entry.
	EPUBMaxEntries       int `yaml:"epub_max_entries" env:"EPUB_MAX_ENTRIES" doc:"EPUBs with more zip entries fail"`
	EPUBMaxUnpackedBytes int `yaml:"epub_max_unpacked_bytes" env:"EPUB_MAX_UNPACKED_BYTES" doc:"EPUBs whose entries declare more bytes in total fail (zip bomb)"`
	EPUBMaxRatio         int `yaml:"epub_max_ratio" env:"EPUB_MAX_RATIO" doc:"largest compression ratio of an EPUB entry above 1 MiB (zip bomb)"`
	WaveformPoints       int `yaml:"waveform_points" env:"WAVEFORM_POINTS" doc:"min/max pairs in waveform.json"`
	// Adaptive streaming and previews of videos.
	HLS                  bool          `yaml:"hls" env:"HLS" doc:"make HLS renditions (CMAF/fMP4, H.264 + AAC) of videos"`
	HLSLadder            string        `yaml:"hls_ladder" env:"HLS_LADDER" doc:"comma-separated rendition heights; a video gets those not above its own height (never upscaled), or one at its own height when it is smaller than all"`
	HLSSegmentSeconds    int           `yaml:"hls_segment_seconds" env:"HLS_SEGMENT_SECONDS" doc:"HLS segment length; keyframes are forced at every boundary"`
	TranscodeConcurrency int           `yaml:"transcode_concurrency" env:"TRANSCODE_CONCURRENCY" doc:"renditions transcoded at once by this process, across workers"`
	HWAccel              string        `yaml:"hwaccel" env:"HWACCEL" doc:"video encoder: none (libx264), vaapi (h264_vaapi on /dev/dri/renderD128) or nvenc (h264_nvenc)"`
	AudioRendition       bool          `yaml:"audio_rendition" env:"AUDIO_RENDITION" doc:"make a loudness-normalised AAC rendition (audio.m4a) of audio that is not MP3 or AAC (FLAC, WAV, Vorbis, Opus)"`
	StoryboardInterval   time.Duration `yaml:"storyboard_interval" env:"STORYBOARD_INTERVAL" doc:"time between the frames of a video's storyboard (seeking previews); 0 makes none"`
	// Housekeeping of the object store.
	SweepInterval time.Duration `yaml:"sweep_interval" env:"SWEEP_INTERVAL" doc:"how often derivatives no finished job reported (abandoned transcodes, replaced or removed originals) are deleted from the object store; 0 disables"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		Workers: 2, PollInterval: time.Second, Lease: 2 * time.Minute, MaxAttempts: 5,
		RetryInitial: 10 * time.Second, RetryMax: 10 * time.Minute,
		JobTimeout: time.Hour, ToolTimeout: 2 * time.Minute, MemoryLimit: 2 << 30,
		MaxFileBytes: 10 << 30, MaxPages: 5000, MaxDuration: 24 * time.Hour, MaxTextBytes: 8 << 20,
		EPUBMaxEntries: 10000, EPUBMaxUnpackedBytes: 1 << 30, EPUBMaxRatio: 200, WaveformPoints: 1000,
		HLS: true, HLSLadder: "240,480,720,1080", HLSSegmentSeconds: 4, TranscodeConcurrency: 1, HWAccel: "none",
		AudioRendition: true, StoryboardInterval: 10 * time.Second, SweepInterval: 10 * time.Minute,
	}
}

// Validate reports every out-of-range option.
func (c Config) Validate() error {
	var problems []error
	bad := func(name, msg string) { problems = append(problems, fmt.Errorf("processing.%s: %s", name, msg)) }
	ints := []struct {
		name          string
		value, lo, hi int
	}{
		{"workers", c.Workers, 1, 64},
		{"max_attempts", c.MaxAttempts, 1, 100},
		{"max_pages", c.MaxPages, 1, 1_000_000},
		{"max_text_bytes", c.MaxTextBytes, 1024, 1 << 30},
		{"epub_max_entries", c.EPUBMaxEntries, 10, 65000},
		{"epub_max_ratio", c.EPUBMaxRatio, 10, 100_000},
		{"waveform_points", c.WaveformPoints, 10, 100_000},
		{"hls_segment_seconds", c.HLSSegmentSeconds, 1, 30},
		{"transcode_concurrency", c.TranscodeConcurrency, 1, 64},
	}
	for _, f := range ints {
		if f.value < f.lo || f.value > f.hi {
			bad(f.name, fmt.Sprintf("must be between %d and %d (got %d)", f.lo, f.hi, f.value))
		}
	}
	if c.MaxFileBytes < 1<<20 {
		bad("max_file_bytes", fmt.Sprintf("must be at least 1 MiB (got %d)", c.MaxFileBytes))
	}
	if c.EPUBMaxUnpackedBytes < 1<<20 {
		bad("epub_max_unpacked_bytes", fmt.Sprintf("must be at least 1 MiB (got %d)", c.EPUBMaxUnpackedBytes))
	}
	if c.MemoryLimit != 0 && c.MemoryLimit < 256<<20 {
		bad("memory_limit", fmt.Sprintf("must be 0 (off) or at least 256 MiB (got %d)", c.MemoryLimit))
	}
	durations := []struct {
		name  string
		value time.Duration
	}{
		{"poll_interval", c.PollInterval}, {"lease", c.Lease}, {"retry_initial", c.RetryInitial},
		{"retry_max", c.RetryMax}, {"job_timeout", c.JobTimeout}, {"tool_timeout", c.ToolTimeout},
		{"max_duration", c.MaxDuration},
	}
	for _, f := range durations {
		if f.value <= 0 {
			bad(f.name, "must be positive")
		}
	}
	if c.Lease > 0 && c.Lease < time.Second {
		bad("lease", fmt.Sprintf("must be at least 1s (got %s)", c.Lease))
	}
	if c.RetryMax < c.RetryInitial {
		bad("retry_max", "must not be shorter than retry_initial")
	}
	if _, err := parseLadder(c.HLSLadder); err != nil {
		bad("hls_ladder", err.Error())
	}
	if c.HWAccel != "none" && c.HWAccel != "vaapi" && c.HWAccel != "nvenc" {
		bad("hwaccel", fmt.Sprintf("must be none, vaapi or nvenc (got %q)", c.HWAccel))
	}
	if c.StoryboardInterval < 0 || (c.StoryboardInterval > 0 && c.StoryboardInterval < time.Second) {
		bad("storyboard_interval", "must be 0 (off) or at least 1s")
	}
	if c.SweepInterval < 0 || (c.SweepInterval > 0 && c.SweepInterval < time.Second) {
		bad("sweep_interval", "must be 0 (off) or at least 1s")
	}
	if c.ToolTimeout > c.JobTimeout {
		bad("tool_timeout", "must not be longer than job_timeout")
	}
	return errors.Join(problems...)
}
