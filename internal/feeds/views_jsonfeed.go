package feeds

import (
	"encoding/json"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
)

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1).

type jsonFeedJSON struct {
	Version     string             `json:"version"`
	Title       string             `json:"title"`
	HomePageURL string             `json:"home_page_url,omitempty"`
	FeedURL     string             `json:"feed_url"`
	Description string             `json:"description,omitempty"`
	Icon        string             `json:"icon,omitempty"`
	Authors     []jsonFeedAuthor   `json:"authors,omitempty"`
	Language    string             `json:"language,omitempty"`
	Items       []jsonFeedItemJSON `json:"items"`
}

type jsonFeedAuthor struct {
	Name   string `json:"name"`
	URL    string `json:"url,omitempty"`
	Avatar string `json:"avatar,omitempty"`
}

type jsonFeedAttachment struct {
	URL      string `json:"url"`
	MIMEType string `json:"mime_type"`
	Size     int64  `json:"size_in_bytes,omitempty"`
	Duration int64  `json:"duration_in_seconds,omitempty"`
}

type jsonFeedItemJSON struct {
	ID            string               `json:"id"`
	URL           string               `json:"url"`
	Title         string               `json:"title"`
	ContentText   string               `json:"content_text"`
	Image         string               `json:"image,omitempty"`
	DatePublished string               `json:"date_published"`
	DateModified  string               `json:"date_modified"`
	Authors       []jsonFeedAuthor     `json:"authors,omitempty"`
	Tags          []string             `json:"tags,omitempty"`
	Language      string               `json:"language,omitempty"`
	Attachments   []jsonFeedAttachment `json:"attachments,omitempty"`
}

func jsonFeed(l links, title, description, self, home string, owner *domain.Author, items []item) ([]byte, error) {
	f := jsonFeedJSON{Version: "https://jsonfeed.org/version/1.1", Title: title, HomePageURL: home, FeedURL: self,
		Description: description, Items: []jsonFeedItemJSON{}}
	if owner != nil {
		f.Authors = []jsonFeedAuthor{{Name: owner.Name, URL: l.authorPage(owner.ID), Avatar: owner.Avatar}}
		f.Icon = owner.Avatar
	}
	for _, it := range items {
		j := jsonFeedItemJSON{ID: itemGUID(it), URL: l.mediaPage(it.ID), Title: it.Title, ContentText: it.Description,
			Image: l.image(it.Media), DatePublished: rfc3339(published(it.Media)), DateModified: rfc3339(it.UpdatedAt),
			Tags: it.Tags, Language: it.Language}
		for _, a := range it.Authors {
			j.Authors = append(j.Authors, jsonFeedAuthor{Name: a.Name, URL: l.authorPage(a.ID), Avatar: a.Avatar})
		}
		if it.Content != nil {
			j.Attachments = []jsonFeedAttachment{{URL: l.content(it.ID), MIMEType: mediaType(it.Content.ContentType),
				Size: it.Content.Size, Duration: it.Duration()}}
		}
		f.Items = append(f.Items, j)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	return append(b, '\n'), err
}

func itemGUID(it item) string { return domain.ItemGUID(it.ID) }

// mediaType is a file's type as announced to players and readers.
func mediaType(contentType string) string { return domain.AcquisitionType(contentType) }
