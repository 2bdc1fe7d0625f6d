package storage

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Media kinds, as catalog names them.
const (
	KindBook     = "book"
	KindDocument = "document"
	KindPodcast  = "podcast"
	KindVideo    = "video"
)

const mib = 1 << 20

// Config tunes uploads, quotas and downloads.
type Config struct {
	CatalogURL       string        `yaml:"catalog_url" env:"CATALOG_URL" doc:"catalog's base URL, asked who may upload or download a media item (empty: the identity URL, i.e. this process in all mode)"`
	PublicURL        string        `yaml:"public_url" env:"PUBLIC_URL" doc:"external base URL of signed download links and tus upload Locations (empty: http.public_url, else the request's Host; X-Forwarded-Host only with http.trust_forwarded_for)"`
	BookMaxBytes     int           `yaml:"book_max_bytes" env:"BOOK_MAX_BYTES" doc:"largest book file accepted, in bytes"`
	DocumentMaxBytes int           `yaml:"document_max_bytes" env:"DOCUMENT_MAX_BYTES" doc:"largest document file accepted, in bytes"`
	PodcastMaxBytes  int           `yaml:"podcast_max_bytes" env:"PODCAST_MAX_BYTES" doc:"largest podcast file accepted, in bytes"`
	VideoMaxBytes    int           `yaml:"video_max_bytes" env:"VIDEO_MAX_BYTES" doc:"largest video file accepted, in bytes"`
	UserQuotaBytes   int           `yaml:"user_quota_bytes" env:"USER_QUOTA_BYTES" doc:"bytes a user may keep stored (completed uploads plus uploads in progress)"`
	SmallUploadMax   int           `yaml:"small_upload_max" env:"SMALL_UPLOAD_MAX" doc:"largest body PUT /v1/media/{id}/content accepts in one request, in bytes (use tus above)"`
	UploadExpiry     time.Duration `yaml:"upload_expiry" env:"UPLOAD_EXPIRY" doc:"how long an unfinished tus upload is kept (tus expiration extension)"`
	SweepInterval    time.Duration `yaml:"sweep_interval" env:"SWEEP_INTERVAL" doc:"how often expired uploads, finished-but-unrecorded uploads and orphaned objects are looked for"`
	LinkMaxTTL       time.Duration `yaml:"link_max_ttl" env:"LINK_MAX_TTL" doc:"longest lifetime of a signed download link"`
	PresignTTL       time.Duration `yaml:"presign_ttl" env:"PRESIGN_TTL" doc:"lifetime of the presigned store URL a download redirects to (blob.presign_downloads)"`
	AccessCacheTTL   time.Duration `yaml:"access_cache_ttl" env:"ACCESS_CACHE_TTL" doc:"how long catalog's answer to 'may this caller download this item' is reused; catalog's events drop it sooner (0: ask catalog on every request)"`
	AccessCacheSize  int           `yaml:"access_cache_size" env:"ACCESS_CACHE_SIZE" doc:"most answers the in-memory access cache holds"`
	RedisURL         string        `yaml:"redis_url" env:"REDIS_URL" secret:"true" doc:"Redis (redis://...) holding the download access cache and the tus upload locks, shared by storage replicas (empty: identity.redis_url, i.e. ALEXANDRIA_REDIS_URL; both empty: in memory and database locks)"`
}

// DefaultConfig returns the built-in limits.
func DefaultConfig() Config {
	return Config{
		BookMaxBytes: 200 * mib, DocumentMaxBytes: 100 * mib, PodcastMaxBytes: 500 * mib, VideoMaxBytes: 4096 * mib,
		UserQuotaBytes: 10240 * mib, SmallUploadMax: 32 * mib,
		UploadExpiry: 24 * time.Hour, SweepInterval: time.Minute, LinkMaxTTL: 7 * 24 * time.Hour, PresignTTL: 15 * time.Minute,
		AccessCacheTTL: 10 * time.Second, AccessCacheSize: 100_000,
	}
}

// Validate reports every unusable option.
func (c Config) Validate() error {
	var problems []error
	for _, f := range []struct {
		name  string
		value int
	}{
		{"book_max_bytes", c.BookMaxBytes}, {"document_max_bytes", c.DocumentMaxBytes},
		{"podcast_max_bytes", c.PodcastMaxBytes}, {"video_max_bytes", c.VideoMaxBytes},
		{"user_quota_bytes", c.UserQuotaBytes}, {"small_upload_max", c.SmallUploadMax},
		{"access_cache_size", c.AccessCacheSize},
	} {
		if f.value <= 0 {
			problems = append(problems, fmt.Errorf("storage.%s: must be positive (got %d)", f.name, f.value))
		}
	}
	for _, f := range []struct {
		name  string
		value time.Duration
	}{
		{"upload_expiry", c.UploadExpiry}, {"sweep_interval", c.SweepInterval},
		{"link_max_ttl", c.LinkMaxTTL}, {"presign_ttl", c.PresignTTL},
	} {
		if f.value <= 0 {
			problems = append(problems, fmt.Errorf("storage.%s: must be positive (got %s)", f.name, f.value))
		}
	}
	if c.AccessCacheTTL < 0 {
		problems = append(problems, fmt.Errorf("storage.access_cache_ttl: must not be negative (got %s)", c.AccessCacheTTL))
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			problems = append(problems, errors.New("storage.redis_url: must be a redis:// or rediss:// URL"))
		}
	}
	for _, f := range []struct{ name, value string }{{"catalog_url", c.CatalogURL}, {"public_url", c.PublicURL}} {
		if f.value == "" {
			continue
		}
		if u, err := url.Parse(f.value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, fmt.Errorf("storage.%s: must be an http(s) URL (got %q)", f.name, f.value))
		}
	}
	return errors.Join(problems...)
}

// maxBytes is the size limit of a kind; 0 for an unknown kind.
func (c Config) maxBytes(kind string) int64 {
	switch kind {
	case KindBook:
		return int64(c.BookMaxBytes)
	case KindDocument:
		return int64(c.DocumentMaxBytes)
	case KindPodcast:
		return int64(c.PodcastMaxBytes)
	case KindVideo:
		return int64(c.VideoMaxBytes)
	}
	return 0
}

// largest is the largest size limit of any kind (tus's Tus-Max-Size).
func (c Config) largest() int64 {
	return max(c.maxBytes(KindBook), c.maxBytes(KindDocument), c.maxBytes(KindPodcast), c.maxBytes(KindVideo))
}
