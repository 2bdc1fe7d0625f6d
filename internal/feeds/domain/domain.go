// Package domain holds the feeds' rules in plain Go: what of the catalog a
// feed may show, how items are identified for ever (guids), and how their
// files are typed for the readers and players that fetch them.
package domain

import (
	"crypto/sha1" //nolint:gosec // UUIDv5 is defined over SHA-1; no security property is needed
	"encoding/hex"
	"strings"
	"time"
)

// Media kinds.
const (
	KindBook     = "book"
	KindDocument = "document"
	KindPodcast  = "podcast"
	KindVideo    = "video"
)

// Statuses the read model keeps.
const (
	StatusPublished = "published"
	StatusDeleted   = "deleted"
	StatusActive    = "active"
)

// Content is a media item's primary file as processing found it.
type Content struct {
	Size            int64    `json:"size"`
	SHA256          string   `json:"sha256"`
	ContentType     string   `json:"content_type"`
	DurationSeconds *float64 `json:"duration_seconds,omitempty"`
	Width           *int     `json:"width,omitempty"`
	Height          *int     `json:"height,omitempty"`
	Pages           *int     `json:"pages,omitempty"`
}

// Derivative is a file made from the primary one (cover, thumbnail, text,
// rendition, transcript, chapters, …).
type Derivative struct {
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// Media is the feeds' copy of a catalog media item.
type Media struct {
	ID          string       `json:"id"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Kind        string       `json:"kind"`
	Language    string       `json:"language"`
	AuthorIDs   []string     `json:"author_ids"`
	CategoryIDs []string     `json:"category_ids"`
	Tags        []string     `json:"tags"`
	License     string       `json:"license"`
	PublishedAt *time.Time   `json:"published_at"`
	Status      string       `json:"status"`
	Content     *Content     `json:"content,omitempty"`
	Derivatives []Derivative `json:"derivatives,omitempty"`
	UpdatedAt   time.Time    `json:"updated_at"`
	Version     int64        `json:"version"`
}

// Listed reports whether an item belongs in feeds: published, with a
// processed file to point at. Anything else (draft, processing, failed,
// removed, deleted) leaves every feed.
func (m Media) Listed() bool {
	return m.Status == StatusPublished && m.Content != nil && m.PublishedAt != nil
}

// Derivative returns the item's derivative of a kind.
func (m Media) Derivative(kind string) (Derivative, bool) {
	for _, d := range m.Derivatives {
		if d.Kind == kind {
			return d, true
		}
	}
	return Derivative{}, false
}

// Image is the item's picture: its cover, else its thumbnail.
func (m Media) Image() (Derivative, bool) {
	if d, ok := m.Derivative("cover"); ok {
		return d, true
	}
	return m.Derivative("thumbnail")
}

// Duration is the whole seconds of an audio or video item (0 when unknown).
func (m Media) Duration() int64 {
	if m.Content == nil || m.Content.DurationSeconds == nil || *m.Content.DurationSeconds < 0 {
		return 0
	}
	return int64(*m.Content.DurationSeconds + 0.5)
}

// SortKey orders items newest first by publication: fixed-width UTC time
// then the ID, so that text order is time order.
func (m Media) SortKey() string {
	var t time.Time
	if m.PublishedAt != nil {
		t = m.PublishedAt.UTC()
	}
	return t.Format("2006-01-02T15:04:05.000000000Z") + "|" + m.ID
}

// ItemGUID is an item's permanent identifier in every feed: it depends on
// the media ID only, so edits, new files and re-publication keep it.
func ItemGUID(mediaID string) string { return "urn:uuid:" + mediaID }

// podcastNamespace is the UUIDv5 namespace Podcasting 2.0 fixes for
// podcast:guid.
var podcastNamespace = [16]byte{0xea, 0xd4, 0xc2, 0x36, 0xbf, 0x58, 0x58, 0xc6, 0xa2, 0xc6, 0xa6, 0xb2, 0x8d, 0x12, 0x8c, 0xb6}

// PodcastGUID is a show's podcast:guid: a UUIDv5 of its feed URL without the
// scheme and trailing slashes, as Podcasting 2.0 specifies. It changes only
// if the feed's address does.
func PodcastGUID(feedURL string) string {
	u := feedURL
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	u = strings.TrimRight(u, "/")
	h := sha1.New() //nolint:gosec // see import
	h.Write(podcastNamespace[:])
	h.Write([]byte(u))
	b := h.Sum(nil)[:16]
	b[6] = (b[6] & 0x0f) | 0x50
	b[8] = (b[8] & 0x3f) | 0x80
	x := hex.EncodeToString(b)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// Link is an external link on an author's profile.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Author is the feeds' copy of a catalog author.
type Author struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Bio       string    `json:"bio"`
	Links     []Link    `json:"links"`
	Avatar    string    `json:"avatar"`
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

// Listed reports an author whose feeds exist.
func (a Author) Listed() bool { return a.Status == StatusActive }

// fundingWords name the links that ask for support.
var fundingWords = []string{"donat", "support", "fund", "sponsor", "patreon", "liberapay", "ko-fi", "tip"}

// FundingLinks are the author's links that ask for support
// (podcast:funding).
func (a Author) FundingLinks() []Link {
	var out []Link
	for _, l := range a.Links {
		t := strings.ToLower(l.Title + " " + l.URL)
		for _, w := range fundingWords {
			if strings.Contains(t, w) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// Category is the feeds' copy of a catalog category.
type Category struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Slug        string    `json:"slug"`
	Description string    `json:"description"`
	ParentID    *string   `json:"parent_id"`
	Status      string    `json:"status"`
	UpdatedAt   time.Time `json:"updated_at"`
	Version     int64     `json:"version"`
}

// Listed reports a category whose feeds exist.
func (c Category) Listed() bool { return c.Status == StatusActive }

// AcquisitionType is the MIME type e-readers expect for a file: the sniffed
// type without parameters, with EPUB and PDF spelled as OPDS readers match
// them.
func AcquisitionType(contentType string) string {
	t := strings.TrimSpace(strings.ToLower(contentType))
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "application/epub", "application/epub+zip":
		return "application/epub+zip"
	case "":
		return "application/octet-stream"
	}
	return t
}

// Fold is the lower-case form titles and names are matched in.
func Fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
