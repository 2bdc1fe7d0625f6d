package feeds

import (
	"net/url"
	"time"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
)

// links builds the absolute URLs feeds hand out, from the platform's public
// base URL (no trailing slash).
type links struct{ base string }

func (l links) abs(path string) string      { return l.base + path }
func (l links) mediaPage(id string) string  { return l.base + "/media/" + url.PathEscape(id) }
func (l links) authorPage(id string) string { return l.base + "/authors/" + url.PathEscape(id) }
func (l links) content(id string) string {
	return l.base + "/v1/media/" + url.PathEscape(id) + "/content"
}
func (l links) derivative(id, name string) string {
	return l.base + "/v1/media/" + url.PathEscape(id) + "/derivatives/" + url.PathEscape(name)
}

// image is the absolute URL of an item's picture, "" when it has none.
func (l links) image(m domain.Media) string {
	if d, ok := m.Image(); ok {
		return l.derivative(m.ID, d.Name)
	}
	return ""
}

// rfc3339 formats a time for Atom, JSON Feed and OPDS.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// rfc1123 formats a time for RSS.
func rfc1123(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// published is an item's publication time (listed items have one).
func published(m domain.Media) time.Time {
	if m.PublishedAt != nil {
		return *m.PublishedAt
	}
	return m.UpdatedAt
}

// newest is the latest change among items, or fallback when there are none.
func newest(items []item, fallback time.Time) time.Time {
	t := fallback
	for _, it := range items {
		if it.UpdatedAt.After(t) {
			t = it.UpdatedAt
		}
	}
	return t
}
