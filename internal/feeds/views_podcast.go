package feeds

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
)

// Podcast RSS 2.0 with the iTunes tags Apple Podcasts requires and the
// Podcasting 2.0 namespace (https://podcastindex.org/namespace/1.0).

const (
	itunesNS  = "http://www.itunes.com/dtds/podcast-1.0.dtd"
	podcastNS = "https://podcastindex.org/namespace/1.0"
	contentNS = "http://purl.org/rss/1.0/modules/content/"
)

type rssXML struct {
	XMLName   xml.Name      `xml:"rss"`
	Version   string        `xml:"version,attr"`
	NSItunes  string        `xml:"xmlns:itunes,attr"`
	NSPodcast string        `xml:"xmlns:podcast,attr"`
	NSAtom    string        `xml:"xmlns:atom,attr"`
	NSContent string        `xml:"xmlns:content,attr"`
	Channel   rssChannelXML `xml:"channel"`
}

type rssChannelXML struct {
	Title        string          `xml:"title"`
	Link         string          `xml:"link"`
	Description  string          `xml:"description"`
	Language     string          `xml:"language,omitempty"`
	Generator    string          `xml:"generator"`
	LastBuild    string          `xml:"lastBuildDate"`
	AtomSelf     atomLinkXML     `xml:"atom:link"`
	Image        *rssImageXML    `xml:"image,omitempty"`
	ItunesImage  *hrefXML        `xml:"itunes:image,omitempty"`
	ItunesAuthor string          `xml:"itunes:author"`
	ItunesOwner  *itunesOwnerXML `xml:"itunes:owner,omitempty"`
	ItunesCat    []itunesCatXML  `xml:"itunes:category"`
	Explicit     string          `xml:"itunes:explicit"`
	ItunesType   string          `xml:"itunes:type"`
	Summary      string          `xml:"itunes:summary,omitempty"`
	GUID         string          `xml:"podcast:guid"`
	Locked       podcastLocked   `xml:"podcast:locked"`
	Medium       string          `xml:"podcast:medium"`
	Funding      []fundingXML    `xml:"podcast:funding"`
	Persons      []personXML     `xml:"podcast:person"`
	Items        []rssItemXML    `xml:"item"`
}

type rssImageXML struct {
	URL   string `xml:"url"`
	Title string `xml:"title"`
	Link  string `xml:"link"`
}

type hrefXML struct {
	Href string `xml:"href,attr"`
}

type itunesOwnerXML struct {
	Name  string `xml:"itunes:name"`
	Email string `xml:"itunes:email,omitempty"`
}

type itunesCatXML struct {
	Text string         `xml:"text,attr"`
	Sub  []itunesCatXML `xml:"itunes:category,omitempty"`
}

type podcastLocked struct {
	Owner string `xml:"owner,attr,omitempty"`
	Value string `xml:",chardata"`
}

type fundingXML struct {
	URL   string `xml:"url,attr"`
	Value string `xml:",chardata"`
}

type personXML struct {
	Role  string `xml:"role,attr,omitempty"`
	Href  string `xml:"href,attr,omitempty"`
	Img   string `xml:"img,attr,omitempty"`
	Value string `xml:",chardata"`
}

type rssGUIDXML struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type enclosureXML struct {
	URL    string `xml:"url,attr"`
	Length int64  `xml:"length,attr"`
	Type   string `xml:"type,attr"`
}

type transcriptXML struct {
	URL      string `xml:"url,attr"`
	Type     string `xml:"type,attr"`
	Language string `xml:"language,attr,omitempty"`
}

type chaptersXML struct {
	URL  string `xml:"url,attr"`
	Type string `xml:"type,attr"`
}

type alternateEnclosureXML struct {
	Type    string      `xml:"type,attr"`
	Length  int64       `xml:"length,attr,omitempty"`
	Bitrate int64       `xml:"bitrate,attr,omitempty"`
	Height  int         `xml:"height,attr,omitempty"`
	Title   string      `xml:"title,attr,omitempty"`
	Default string      `xml:"default,attr,omitempty"`
	Sources []sourceXML `xml:"podcast:source"`
}

type sourceXML struct {
	URI         string `xml:"uri,attr"`
	ContentType string `xml:"contentType,attr,omitempty"`
}

type rssItemXML struct {
	Title       string                  `xml:"title"`
	Link        string                  `xml:"link"`
	Description string                  `xml:"description"`
	GUID        rssGUIDXML              `xml:"guid"`
	PubDate     string                  `xml:"pubDate"`
	Author      string                  `xml:"itunes:author,omitempty"`
	Categories  []string                `xml:"category"`
	Enclosure   enclosureXML            `xml:"enclosure"`
	Duration    int64                   `xml:"itunes:duration,omitempty"`
	EpisodeType string                  `xml:"itunes:episodeType"`
	Explicit    string                  `xml:"itunes:explicit"`
	ItunesImage *hrefXML                `xml:"itunes:image,omitempty"`
	Persons     []personXML             `xml:"podcast:person"`
	Transcript  []transcriptXML         `xml:"podcast:transcript"`
	Chapters    *chaptersXML            `xml:"podcast:chapters,omitempty"`
	Alternates  []alternateEnclosureXML `xml:"podcast:alternateEnclosure"`
}

// show is what a podcast feed is about: an author or a category.
type show struct {
	Title       string
	Description string
	Link        string
	Self        string
	Image       string
	Language    string
	Owner       *domain.Author
	// Category is the Apple Podcasts category of every show.
	Category   string
	OwnerEmail string
	Updated    time.Time
}

func podcastFeed(l links, s show, items []item) ([]byte, error) {
	authorName := s.Title
	if s.Owner != nil {
		authorName = s.Owner.Name
	}
	image := s.Image
	if image == "" {
		for _, it := range items {
			if image = l.image(it.Media); image != "" {
				break
			}
		}
	}
	medium := "podcast"
	if len(items) > 0 && allVideo(items) {
		medium = "film"
	}
	ch := rssChannelXML{Title: s.Title, Link: s.Link, Description: cmpOr(s.Description, s.Title), Language: s.Language,
		Generator: "Alexandria", LastBuild: rfc1123(s.Updated),
		AtomSelf:     atomLinkXML{Rel: "self", Href: s.Self, Type: "application/rss+xml"},
		ItunesAuthor: authorName, Explicit: "false", ItunesType: "episodic", Summary: s.Description,
		ItunesCat: []itunesCatXML{parseItunesCategory(s.Category)},
		GUID:      domain.PodcastGUID(s.Self), Locked: podcastLocked{Value: "yes", Owner: s.OwnerEmail}, Medium: medium}
	if s.OwnerEmail != "" {
		ch.ItunesOwner = &itunesOwnerXML{Name: authorName, Email: s.OwnerEmail}
	}
	if image != "" {
		ch.Image = &rssImageXML{URL: image, Title: s.Title, Link: s.Link}
		ch.ItunesImage = &hrefXML{Href: image}
	}
	if s.Owner != nil {
		for _, f := range s.Owner.FundingLinks() {
			ch.Funding = append(ch.Funding, fundingXML{URL: f.URL, Value: f.Title})
		}
		ch.Persons = []personXML{{Role: "host", Href: l.authorPage(s.Owner.ID), Img: s.Owner.Avatar, Value: s.Owner.Name}}
	}
	for _, it := range items {
		ch.Items = append(ch.Items, podcastItem(l, it))
	}
	return marshalXML(rssXML{Version: "2.0", NSItunes: itunesNS, NSPodcast: podcastNS, NSAtom: atomNS, NSContent: contentNS, Channel: ch})
}

func podcastItem(l links, it item) rssItemXML {
	c := it.Content
	x := rssItemXML{Title: it.Title, Link: l.mediaPage(it.ID), Description: cmpOr(it.Description, it.Title),
		GUID: rssGUIDXML{IsPermaLink: "false", Value: itemGUID(it)}, PubDate: rfc1123(published(it.Media)),
		Categories: it.Tags, Duration: it.Duration(), EpisodeType: "full", Explicit: "false",
		Enclosure: enclosureXML{URL: l.content(it.ID), Length: c.Size, Type: mediaType(c.ContentType)}}
	var names []string
	for _, a := range it.Authors {
		names = append(names, a.Name)
		x.Persons = append(x.Persons, personXML{Role: "host", Href: l.authorPage(a.ID), Img: a.Avatar, Value: a.Name})
	}
	x.Author = strings.Join(names, ", ")
	if img := l.image(it.Media); img != "" {
		x.ItunesImage = &hrefXML{Href: img}
	}
	for _, d := range it.Derivatives {
		switch d.Kind {
		case "transcript":
			x.Transcript = append(x.Transcript, transcriptXML{URL: l.derivative(it.ID, d.Name), Type: mediaType(d.ContentType), Language: it.Language})
		case "chapters":
			x.Chapters = &chaptersXML{URL: l.derivative(it.ID, d.Name), Type: mediaType(d.ContentType)}
		}
	}
	// The file itself first (the default), then any rendition processing
	// made: every one a plain file a player can fetch with ranges.
	primary := alternateEnclosureXML{Type: mediaType(c.ContentType), Length: c.Size, Default: "true", Title: "Original",
		Sources: []sourceXML{{URI: l.content(it.ID)}}}
	if c.Height != nil {
		primary.Height = *c.Height
	}
	x.Alternates = append(x.Alternates, primary)
	for _, d := range it.Derivatives {
		if d.Kind == "rendition" && !strings.Contains(d.ContentType, "mpegurl") {
			x.Alternates = append(x.Alternates, alternateEnclosureXML{Type: mediaType(d.ContentType), Length: d.Size, Title: d.Name,
				Sources: []sourceXML{{URI: l.derivative(it.ID, d.Name)}}})
		}
	}
	return x
}

// parseItunesCategory reads "Parent > Child" into Apple's nesting.
func parseItunesCategory(s string) itunesCatXML {
	parent, child, ok := strings.Cut(s, ">")
	c := itunesCatXML{Text: strings.TrimSpace(parent)}
	if ok && strings.TrimSpace(child) != "" {
		c.Sub = []itunesCatXML{{Text: strings.TrimSpace(child)}}
	}
	return c
}

func allVideo(items []item) bool {
	for _, it := range items {
		if it.Kind != domain.KindVideo {
			return false
		}
	}
	return true
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
