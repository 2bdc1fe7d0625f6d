package catalog

import (
	"errors"
	"fmt"
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// Config tunes the catalog's limits.
type Config struct {
	MaxTagsPerMedia     int           `yaml:"max_tags_per_media" env:"MAX_TAGS_PER_MEDIA" doc:"most tags a media item may carry"`
	MaxAuthorsPerMedia  int           `yaml:"max_authors_per_media" env:"MAX_AUTHORS_PER_MEDIA" doc:"most authors a media item may credit"`
	MaxMembersPerAuthor int           `yaml:"max_members_per_author" env:"MAX_MEMBERS_PER_AUTHOR" doc:"most member accounts an author may have"`
	ReadCacheTTL        time.Duration `yaml:"read_cache_ttl" env:"READ_CACHE_TTL" doc:"how long an anonymous GET /v1/media/{id} or list page answer is reused; this replica's changes and the catalog events it receives drop it sooner, so with several replicas it bounds how long another replica's change may go unseen (0: no read cache)"`
	ReadCacheSize       int           `yaml:"read_cache_size" env:"READ_CACHE_SIZE" doc:"most answers the in-memory read cache holds (0: no read cache)"`
}

// DefaultConfig returns the built-in limits.
func DefaultConfig() Config {
	return Config{MaxTagsPerMedia: 20, MaxAuthorsPerMedia: 10, MaxMembersPerAuthor: 50,
		ReadCacheTTL: 5 * time.Second, ReadCacheSize: 10000}
}

// The largest limits Validate accepts. Request schemas carry them as
// static maxItems (media_create.go, media_update.go), so an oversized list
// fails at once with one short error whatever the configured limit; the
// domain then applies the configured one.
const (
	largestTagsPerMedia     = 100
	largestAuthorsPerMedia  = 50
	largestMembersPerAuthor = 1000
)

// Validate reports every out-of-range limit.
func (c Config) Validate() error {
	var problems []error
	for _, f := range []struct {
		name     string
		value    int
		greatest int
	}{
		{"max_tags_per_media", c.MaxTagsPerMedia, largestTagsPerMedia},
		{"max_authors_per_media", c.MaxAuthorsPerMedia, largestAuthorsPerMedia},
		{"max_members_per_author", c.MaxMembersPerAuthor, largestMembersPerAuthor},
	} {
		if f.value <= 0 || f.value > f.greatest {
			problems = append(problems, fmt.Errorf("catalog.%s: must be between 1 and %d (got %d)", f.name, f.greatest, f.value))
		}
	}
	if c.ReadCacheTTL < 0 {
		problems = append(problems, fmt.Errorf("catalog.read_cache_ttl: must not be negative (got %s)", c.ReadCacheTTL))
	}
	if c.ReadCacheSize < 0 {
		problems = append(problems, fmt.Errorf("catalog.read_cache_size: must not be negative (got %d)", c.ReadCacheSize))
	}
	return errors.Join(problems...)
}

func (c Config) limits() domain.Limits {
	return domain.Limits{MaxTagsPerMedia: c.MaxTagsPerMedia, MaxAuthorsPerMedia: c.MaxAuthorsPerMedia,
		MaxMembersPerAuthor: c.MaxMembersPerAuthor}
}
