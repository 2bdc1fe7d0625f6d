// Package domain holds engagement's rules in plain Go: what may be
// followed, when a view counts, how a progress position is checked and which
// of two progress updates wins.
package domain

import (
	"regexp"
	"time"

	"github.com/google/uuid"
)

// Follow target types.
const (
	TargetAuthor   = "author"
	TargetCategory = "category"
	TargetTag      = "tag"
)

// TargetTypes lists what may be followed.
var TargetTypes = []string{TargetAuthor, TargetCategory, TargetTag}

// Catalog statuses engagement reads. Only published media and active
// authors and categories are visible.
const (
	MediaPublished = "published"
	StatusActive   = "active"
)

// Media kinds.
const (
	KindBook     = "book"
	KindDocument = "document"
	KindPodcast  = "podcast"
	KindVideo    = "video"
)

// ValidID reports a canonical UUID.
func ValidID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

var tagPattern = regexp.MustCompile(`^[\p{Ll}\p{N}][\p{Ll}\p{N} _.+#-]{0,63}$`)

// ValidTag reports a tag as catalog stores it (lower case, at most 64
// characters).
func ValidTag(tag string) bool { return tagPattern.MatchString(tag) }

// Media is what engagement knows of a catalog item.
type Media struct {
	ID              string
	Kind            string
	Title           string
	Status          string
	DurationSeconds *float64
	Pages           *int
	PublishedAt     *time.Time
	AuthorIDs       []string
	CategoryIDs     []string
	Tags            []string
	Version         int64
}

// Visible reports whether readers may see (and engage with) the item.
func (m Media) Visible() bool { return m.Status == MediaPublished }
