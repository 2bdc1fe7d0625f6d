package feeds

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Config tunes the feeds.
type Config struct {
	PublicURL       string `yaml:"public_url" env:"PUBLIC_URL" doc:"external base URL of every link in the feeds (empty: http.public_url, else the request's scheme and Host; X-Forwarded-* only with http.trust_forwarded_for)"`
	CacheEntries    int    `yaml:"cache_entries" env:"CACHE_ENTRIES" doc:"rendered feeds kept in memory (0 turns the cache off); every catalog change empties it once committed"`
	PageSize        int    `yaml:"page_size" env:"PAGE_SIZE" doc:"entries in an Atom or JSON feed and in one OPDS page"`
	PodcastEpisodes int    `yaml:"podcast_episodes" env:"PODCAST_EPISODES" doc:"most episodes in a podcast feed (newest first)"`
	PodcastCategory string `yaml:"podcast_category" env:"PODCAST_CATEGORY" doc:"Apple Podcasts category of every show, 'Parent > Child' for a subcategory"`
	SearchURL       string `yaml:"search_url" env:"SEARCH_URL" doc:"search target's base URL for OPDS search (GET /v1/search); empty: OPDS search matches titles in the feeds' own read model"`
	RequireAuth     bool   `yaml:"require_auth" env:"REQUIRE_AUTH" doc:"OPDS catalogs and feeds answer only requests with HTTP Basic credentials (e-mail and a personal API token with the feeds:read scope); private feed URLs (/feeds/private/{token}/…) still work with their token alone; off: anyone may read them, and credentials, when sent, must be valid"`
	EngagementURL   string `yaml:"engagement_url" env:"ENGAGEMENT_URL" doc:"engagement's base URL: KOReader progress sync saves and reads positions there (empty: the identity URL, i.e. this process in all mode; a deployment without engagement answers 503)"`
	AnalyticsURL    string `yaml:"analytics_url" env:"ANALYTICS_URL" doc:"analytics' base URL: the OPDS popular pages list its week's ranking (GET /v1/popular), cached 60 s at most (empty: the identity URL, i.e. this process in all mode; when analytics does not answer within 2 s or ranks nothing listed, popular lists the newest items)"`
	ContentURL      string `yaml:"content_url" env:"CONTENT_URL" doc:"storage's base URL, read with range requests to fingerprint books and documents as KOReader does (empty: the identity URL, i.e. this process in all mode)"`
	OwnerEmail      string `yaml:"owner_email" env:"OWNER_EMAIL" doc:"contact e-mail in itunes:owner and podcast:locked (empty: left out)"`
}

// DefaultConfig returns the built-in settings.
func DefaultConfig() Config {
	return Config{CacheEntries: 2048, PageSize: 50, PodcastEpisodes: 10000, PodcastCategory: "Education"}
}

// Validate reports every unusable option.
func (c Config) Validate() error {
	var problems []error
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, fmt.Errorf("feeds.public_url: must be an absolute http(s) URL (got %q)", c.PublicURL))
		}
	}
	for name, v := range map[string]string{"search_url": c.SearchURL, "engagement_url": c.EngagementURL, "analytics_url": c.AnalyticsURL, "content_url": c.ContentURL} {
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, fmt.Errorf("feeds.%s: must be an absolute http(s) URL (got %q)", name, v))
		}
	}
	if c.CacheEntries < 0 {
		problems = append(problems, fmt.Errorf("feeds.cache_entries: must not be negative (got %d)", c.CacheEntries))
	}
	if c.PageSize < 1 || c.PageSize > 500 {
		problems = append(problems, fmt.Errorf("feeds.page_size: must be between 1 and 500 (got %d)", c.PageSize))
	}
	if c.PodcastEpisodes < 1 || c.PodcastEpisodes > 100000 {
		problems = append(problems, fmt.Errorf("feeds.podcast_episodes: must be between 1 and 100000 (got %d)", c.PodcastEpisodes))
	}
	if strings.TrimSpace(c.PodcastCategory) == "" {
		problems = append(problems, errors.New("feeds.podcast_category: must not be empty"))
	}
	return errors.Join(problems...)
}
