package search

import (
	"time"
)

// searchMediaJSON is a media item as search results show it: catalog's public
// view of it, as of the last event search handled.
type searchMediaJSON struct {
	ID          string                 `json:"id" doc:"Media ID"`
	Title       string                 `json:"title" doc:"Title"`
	Description string                 `json:"description" doc:"Description"`
	Kind        string                 `json:"kind" enum:"book,document,podcast,video" doc:"What the item is"`
	Language    string                 `json:"language" doc:"BCP 47 language tag"`
	AuthorIDs   []string               `json:"author_ids" doc:"Authors, in credit order"`
	CategoryIDs []string               `json:"category_ids" doc:"Categories"`
	Tags        []string               `json:"tags" doc:"Lower-case tags"`
	License     string                 `json:"license" doc:"SPDX license identifier, empty when not stated"`
	PublishedAt *time.Time             `json:"published_at" doc:"Publication date, null until first published"`
	Status      string                 `json:"status" enum:"draft,processing,published,failed,removed" doc:"Lifecycle status (published, except with scope=mine)"`
	Content     *searchContentJSON     `json:"content,omitempty" doc:"The primary file, once processed"`
	Derivatives []searchDerivativeJSON `json:"derivatives,omitempty" doc:"Files made from the primary one: cover, thumbnail, waveform, text"`
	CreatedAt   time.Time              `json:"created_at" doc:"Creation time"`
	UpdatedAt   time.Time              `json:"updated_at" doc:"Last change"`
	Version     int64                  `json:"version" doc:"Catalog's version of the item"`
}

// searchContentJSON describes an item's primary file.
type searchContentJSON struct {
	Size            int64    `json:"size" doc:"Bytes"`
	SHA256          string   `json:"sha256" doc:"Hex sha256 of the file"`
	ContentType     string   `json:"content_type" doc:"Media type, detected from the bytes"`
	DurationSeconds *float64 `json:"duration_seconds,omitempty" doc:"Audio and video: length"`
	Bitrate         *int64   `json:"bitrate,omitempty" doc:"Audio and video: bits per second"`
	Width           *int     `json:"width,omitempty" doc:"Video: frame width"`
	Height          *int     `json:"height,omitempty" doc:"Video: frame height"`
	Codecs          []string `json:"codecs,omitempty" doc:"Audio and video: codec names"`
	Pages           *int     `json:"pages,omitempty" doc:"PDF and EPUB: pages (EPUB: spine documents)"`
	URL             string   `json:"url,omitempty" doc:"Where to download or stream the file"`
}

// searchDerivativeJSON is a file processing made from the primary one.
type searchDerivativeJSON struct {
	Kind        string `json:"kind" doc:"cover, thumbnail, waveform, waveform_image, text or rendition"`
	Name        string `json:"name" doc:"File name under the item's derivatives"`
	URL         string `json:"url" doc:"Where to fetch it"`
	ContentType string `json:"content_type" doc:"Media type"`
	Size        int64  `json:"size" doc:"Bytes"`
}

// searchPassageJSON is a passage of an item's extracted text.
type searchPassageJSON struct {
	Snippet  string             `json:"snippet" doc:"The passage, HTML-escaped, matching words in <mark>…</mark>"`
	Page     *int               `json:"page,omitempty" doc:"PDF: the page (1-based)"`
	Chapter  *searchChapterJSON `json:"chapter,omitempty" doc:"EPUB: the chapter of the table of contents the passage is in (absent when the book has none that maps to its text)"`
	Section  *int               `json:"section,omitempty" doc:"EPUB: the reading-order document the passage is in (1-based)"`
	Position *int               `json:"position,omitempty" doc:"Other text (EPUB, plain text): the passage's number in reading order (1-based, about 1,500 characters each)"`
}

// searchChapterJSON is an EPUB chapter a passage is in.
type searchChapterJSON struct {
	Index int    `json:"index" doc:"The entry of the table of contents (1-based, in the order of the media item's chapters)"`
	Title string `json:"title" doc:"The entry's title"`
	Href  string `json:"href,omitempty" doc:"The document (and #fragment) in the book the entry points at"`
}

// searchHighlightsJSON shows why an item matched.
type searchHighlightsJSON struct {
	Title       string              `json:"title,omitempty" doc:"The title, HTML-escaped, matching words in <mark>…</mark> (absent when none matched)"`
	Description string              `json:"description,omitempty" doc:"A passage of the description, likewise"`
	Content     []searchPassageJSON `json:"content,omitempty" doc:"Passages of the extracted text that match"`
}

// searchHitJSON is one search result.
type searchHitJSON struct {
	Media      searchMediaJSON      `json:"media" doc:"The media item"`
	Score      float64              `json:"score" doc:"Relevance, higher is better (comparable within one search only; 0 when browsing)"`
	Highlights searchHighlightsJSON `json:"highlights" doc:"Where the query matched"`
}

// searchJSON is a page of results.
type searchJSON struct {
	Items         []searchHitJSON           `json:"items" doc:"One page of results"`
	Facets        map[string]map[string]int `json:"facets,omitempty" doc:"Counts of all matching items by kind, language, category, author, tag and license (the most frequent values); first page only (absent when the request carries a page_token)"`
	Total         int                       `json:"total" doc:"How many items match"`
	NextPageToken string                    `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
}

// searchSuggestionJSON is one autocomplete entry.
type searchSuggestionJSON struct {
	Kind string `json:"kind" enum:"title,author,tag" doc:"What the text is"`
	Text string `json:"text" doc:"The title, author name or tag"`
	ID   string `json:"id,omitempty" doc:"The media ID (title) or author ID (author)"`
}

// searchInsideJSON is a page of passages of one item.
type searchInsideJSON struct {
	Items         []searchPassageJSON `json:"items" doc:"Passages in reading order"`
	NextPageToken string              `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
}

// mediaView is the public view of an item as the event described it.
func mediaView(e mediaEvent) searchMediaJSON {
	return searchMediaJSON{ID: e.ID, Title: e.Title, Description: e.Description, Kind: e.Kind, Language: e.Language,
		AuthorIDs: orEmpty(e.AuthorIDs), CategoryIDs: orEmpty(e.CategoryIDs), Tags: orEmpty(e.Tags), License: e.License,
		PublishedAt: e.PublishedAt, Status: e.Status, Content: e.Content, Derivatives: e.Derivatives,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Version: e.Version}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
