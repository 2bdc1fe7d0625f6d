package search

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Config tunes the search target.
type Config struct {
	StorageURL   string        `yaml:"storage_url" env:"STORAGE_URL" doc:"storage's base URL, where extracted text is fetched (GET /v1/media/{id}/derivatives/{name}); empty: the identity URL, i.e. this process in all mode"`
	TextMaxBytes int64         `yaml:"text_max_bytes" env:"TEXT_MAX_BYTES" doc:"extracted text read per item; the rest is not searchable"`
	TextPoll     time.Duration `yaml:"text_poll" env:"TEXT_POLL" doc:"how often queued text fetches are looked for (a publish also wakes the fetcher)"`
	TextAttempts int           `yaml:"text_attempts" env:"TEXT_ATTEMPTS" doc:"fetches of one item's text before giving up (backoff doubles from 1 s to 1 min)"`
	MaxPageSize  int           `yaml:"max_page_size" env:"MAX_PAGE_SIZE" doc:"largest page_size a search answers; larger ones are cut to it"`
	FacetValues  int           `yaml:"facet_values" env:"FACET_VALUES" doc:"values counted per facet (the most frequent)"`
	// PopularityFlush batches engagement counts into sort=popular.
	PopularityFlush time.Duration `yaml:"popularity_flush" env:"POPULARITY_FLUSH" doc:"how often likes and views counted from engagement's events are copied into the popularity sort=popular orders by"`
}

// DefaultConfig returns the built-in settings.
func DefaultConfig() Config {
	return Config{TextMaxBytes: 16 << 20, TextPoll: time.Second, TextAttempts: 12, MaxPageSize: 100, FacetValues: 20,
		PopularityFlush: 2 * time.Second}
}

// Validate reports every unusable option.
func (c Config) Validate() error {
	var problems []error
	if c.StorageURL != "" {
		if u, err := url.Parse(c.StorageURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, fmt.Errorf("search.storage_url: %q is not an http(s) URL", c.StorageURL))
		}
	}
	if c.TextMaxBytes <= 0 {
		problems = append(problems, fmt.Errorf("search.text_max_bytes: must be positive (got %d)", c.TextMaxBytes))
	}
	if c.TextPoll <= 0 {
		problems = append(problems, errors.New("search.text_poll: must be positive"))
	}
	if c.TextAttempts <= 0 {
		problems = append(problems, errors.New("search.text_attempts: must be positive"))
	}
	if c.PopularityFlush < 10*time.Millisecond || c.PopularityFlush > time.Hour {
		problems = append(problems, fmt.Errorf("search.popularity_flush: must be 10ms..1h (got %s)", c.PopularityFlush))
	}
	if c.MaxPageSize < 1 || c.MaxPageSize > 1000 {
		problems = append(problems, fmt.Errorf("search.max_page_size: must be 1..1000 (got %d)", c.MaxPageSize))
	}
	if c.FacetValues < 1 || c.FacetValues > 1000 {
		problems = append(problems, fmt.Errorf("search.facet_values: must be 1..1000 (got %d)", c.FacetValues))
	}
	return errors.Join(problems...)
}
