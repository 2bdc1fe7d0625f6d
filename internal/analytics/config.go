package analytics

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/analytics/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/blob"
)

// Config tunes analytics.
type Config struct {
	WeightView        float64       `yaml:"weight_view" env:"WEIGHT_VIEW" doc:"trending: weight of one counted view in y"`
	WeightLike        float64       `yaml:"weight_like" env:"WEIGHT_LIKE" doc:"trending: weight of one like in y (a like taken back subtracts it)"`
	WeightCompletion  float64       `yaml:"weight_completion" env:"WEIGHT_COMPLETION" doc:"trending: weight of one completion (a user finishing the item, first time only)"`
	WeightFollow      float64       `yaml:"weight_follow" env:"WEIGHT_FOLLOW" doc:"trending: weight of one new follower of an item's author, added to each of the author's visible items"`
	Lateness          time.Duration `yaml:"lateness" env:"LATENESS" doc:"how long after a window ends late events still count in it; later ones are dropped from trending (statistics still count them)"`
	LakeURL           string        `yaml:"lake_url" env:"LAKE_URL" doc:"where the Parquet lake is written: a directory, file:///dir, s3://bucket?region=..&endpoint=..&use_path_style=true&prefix=lake/, gs://bucket, azblob://container (empty: lake/ in the data dir)" secret:"true"`
	LakeFlushInterval time.Duration `yaml:"lake_flush_interval" env:"LAKE_FLUSH_INTERVAL" doc:"how often consumed events are written to a new lake file"`
	StreamURL         string        `yaml:"stream_url" env:"STREAM_URL" doc:"also put engagement events on an AWS Kinesis stream: kinesis://stream-name?endpoint=http://…&region=… (endpoint for emulators; empty: off)"`
	StreamInterval    time.Duration `yaml:"stream_interval" env:"STREAM_INTERVAL" doc:"how often staged engagement events are put on the Kinesis stream"`
	LakeCompactAfter  time.Duration `yaml:"lake_compact_after" env:"LAKE_COMPACT_AFTER" doc:"how long after an hour ends its partition's files are compacted into one"`
}

// DefaultConfig returns the built-in settings.
func DefaultConfig() Config {
	return Config{WeightView: 1, WeightLike: 5, WeightCompletion: 10, WeightFollow: 3, Lateness: 10 * time.Minute,
		LakeFlushInterval: 10 * time.Second, StreamInterval: 200 * time.Millisecond, LakeCompactAfter: 15 * time.Minute}
}

func (c Config) weights() domain.Weights {
	return domain.Weights{View: c.WeightView, Like: c.WeightLike, Completion: c.WeightCompletion, Follow: c.WeightFollow}
}

// Validate reports out-of-range settings.
func (c Config) Validate() error {
	var problems []error
	for name, w := range map[string]float64{"weight_view": c.WeightView, "weight_like": c.WeightLike,
		"weight_completion": c.WeightCompletion, "weight_follow": c.WeightFollow} {
		if w < 0 || w > 1e6 {
			problems = append(problems, fmt.Errorf("analytics.%s: must be between 0 and 1000000 (got %g)", name, w))
		}
	}
	if c.Lateness < 0 || c.Lateness > 7*24*time.Hour {
		problems = append(problems, fmt.Errorf("analytics.lateness: must be between 0 and 168h (got %s)", c.Lateness))
	}
	if c.LakeFlushInterval < 10*time.Millisecond || c.LakeFlushInterval > time.Hour {
		problems = append(problems, fmt.Errorf("analytics.lake_flush_interval: must be between 10ms and 1h (got %s)", c.LakeFlushInterval))
	}
	if c.LakeCompactAfter < 0 || c.LakeCompactAfter > 24*time.Hour {
		problems = append(problems, fmt.Errorf("analytics.lake_compact_after: must be between 0 and 24h (got %s)", c.LakeCompactAfter))
	}
	if c.StreamURL != "" {
		if _, err := parseStreamURL(c.StreamURL); err != nil {
			problems = append(problems, err)
		}
	}
	if c.StreamInterval < 10*time.Millisecond || c.StreamInterval > time.Minute {
		problems = append(problems, fmt.Errorf("analytics.stream_interval: must be between 10ms and 1m (got %s)", c.StreamInterval))
	}
	if _, _, err := lakeURL(c.LakeURL, ""); err != nil {
		problems = append(problems, err)
	}
	return errors.Join(problems...)
}

// lakeURL resolves the lake's location to a blob URL, and for a local
// lake also the directory: empty is lake/ in the data directory, a path or
// file:// URL a local directory (written without .attrs side files, each
// file put in place by rename), s3://, gs:// and azblob:// an object store
// linked into this binary (see package blob; ?prefix=dir/ puts the lake
// under a prefix of the bucket).
func lakeURL(raw, dataDir string) (u, dir string, err error) {
	const local = "?metadata=skip&no_tmp_dir=true"
	switch {
	case raw == "":
		dir = "lake"
		if dataDir != "" {
			dir = filepath.Join(dataDir, "lake")
		}
	case strings.HasPrefix(raw, "file://"):
		pu, perr := url.Parse(raw)
		if perr != nil || pu.Path == "" {
			return "", "", fmt.Errorf("analytics.lake_url: want file:///absolute/dir (got %q)", raw)
		}
		dir = pu.Path
	case strings.Contains(raw, "://"):
		pu, perr := url.Parse(raw)
		if perr != nil || pu.Host == "" {
			return "", "", fmt.Errorf("analytics.lake_url: unreadable URL %q", raw)
		}
		if verr := (blob.Config{URL: raw}).Validate(); verr != nil {
			return "", "", fmt.Errorf("analytics.lake_url: %s", strings.TrimPrefix(verr.Error(), "blob.url: "))
		}
		return raw, "", nil
	default:
		dir = raw
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", fmt.Errorf("analytics.lake_url: %w", err)
	}
	return "file://" + filepath.ToSlash(abs) + local, abs, nil
}
