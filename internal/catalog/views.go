package catalog

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// The HTTP views: what the API answers, built from domain values. They are
// a contract of their own (the OpenAPI document and the client package
// depend on them), apart from the domain types and the event payloads
// (events.go), so each can change at its own speed.

// authorLinkJSON is an external link on an author's profile, in answers
// and in the create and update bodies.
type authorLinkJSON struct {
	Title string `json:"title" maxLength:"200" doc:"What the link points to, e.g. Website"`
	URL   string `json:"url" maxLength:"2000" doc:"Absolute http(s) URL"`
}

// authorMemberJSON is a user account that may act for an author.
type authorMemberJSON struct {
	UserID  string    `json:"user_id" doc:"Identity user ID"`
	Role    string    `json:"role" enum:"owner,member" doc:"owner: manages members; member: publishes"`
	AddedAt time.Time `json:"added_at" doc:"When the user became a member"`
}

// authorJSON is an author as the caller may see it. Who acts for an author
// is known to its members and moderators only (it ties accounts to pen
// names); everyone else gets no members field.
type authorJSON struct {
	ID        string             `json:"id" doc:"Author ID"`
	Name      string             `json:"name" doc:"Display name"`
	Bio       string             `json:"bio" doc:"Biography"`
	Links     []authorLinkJSON   `json:"links" doc:"External links"`
	Avatar    string             `json:"avatar" doc:"Avatar image: an absolute http(s) URL"`
	Status    string             `json:"status" enum:"active,removed" doc:"removed authors are hidden from everyone but their members and moderators"`
	RemovedBy string             `json:"removed_by,omitempty" enum:"owner,moderator" doc:"Who removed a removed author: owner (its owners or moderators may restore it) or moderator (only moderators may)"`
	Members   []authorMemberJSON `json:"members,omitempty" doc:"Accounts acting for the author; only for its members and moderators"`
	CreatedAt time.Time          `json:"created_at" doc:"Creation time"`
	UpdatedAt time.Time          `json:"updated_at" doc:"Last change"`
	Version   int64              `json:"version" doc:"Increments on every change; the ETag"`
}

// mediaContentJSON describes an item's primary file, as processing found it.
type mediaContentJSON struct {
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
	// Shown as mediaJSON's chapters and streaming.
	Chapters   []domain.Chapter   `json:"-"`
	Renditions []domain.Rendition `json:"-"`
}

// chapterJSON is one chapter of the primary file.
type chapterJSON struct {
	Title string   `json:"title" doc:"Title (may be empty)"`
	Start *float64 `json:"start,omitempty" doc:"Audio and video: start in seconds"`
	End   *float64 `json:"end,omitempty" doc:"Audio and video: end in seconds, when known"`
	Href  string   `json:"href,omitempty" doc:"EPUB: the document (and #fragment) in the book where it starts"`
	Page  int      `json:"page,omitempty" doc:"PDF: the page the outline entry points at, from 1"`
}

// streamingJSON is how to stream a video adaptively.
type streamingJSON struct {
	HLSURL     string          `json:"hls_url" doc:"The HLS master playlist (CMAF/fMP4 segments, H.264 + AAC); its URIs are relative"`
	Renditions []renditionJSON `json:"renditions" doc:"The ladder, lowest first"`
}

// renditionJSON is one rendition of the ladder.
type renditionJSON struct {
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Bandwidth int    `json:"bandwidth" doc:"Peak bits per second"`
	Codecs    string `json:"codecs" doc:"RFC 6381 codecs"`
	URL       string `json:"url" doc:"Its media playlist"`
}

// derivativeJSON is a file processing made from the primary one.
type derivativeJSON struct {
	Kind        string `json:"kind" doc:"cover, thumbnail, waveform (peaks as JSON), waveform_image, text, rendition (HLS playlist), storyboard, chapters or audio"`
	Name        string `json:"name" doc:"File name under the item's derivatives"`
	URL         string `json:"url" doc:"Where to fetch it"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// mediaJSON is a media item.
type mediaJSON struct {
	ID           string            `json:"id" doc:"Media ID"`
	Title        string            `json:"title" doc:"Title"`
	Description  string            `json:"description" doc:"Description"`
	Kind         string            `json:"kind" enum:"book,document,podcast,video" doc:"What the item is; fixed at creation"`
	Language     string            `json:"language" doc:"BCP 47 language tag, canonical form"`
	AuthorIDs    []string          `json:"author_ids" doc:"Authors, in credit order"`
	CategoryIDs  []string          `json:"category_ids" doc:"Categories"`
	Tags         []string          `json:"tags" doc:"Lower-case tags"`
	License      string            `json:"license" doc:"SPDX license identifier, empty when not stated"`
	PublishedAt  *time.Time        `json:"published_at" doc:"Publication date, null until first published"`
	Status       string            `json:"status" enum:"draft,processing,published,failed,removed" doc:"Lifecycle status"`
	RemovedBy    string            `json:"removed_by,omitempty" doc:"When the item is removed because one of its authors was: that author's ID (restoring the author restores the item)"`
	StatusReason string            `json:"status_reason,omitempty" doc:"Why processing failed, for the item's members"`
	Content      *mediaContentJSON `json:"content,omitempty" doc:"The primary file, once processed"`
	Derivatives  []derivativeJSON  `json:"derivatives,omitempty" doc:"Files made from the primary one: cover, thumbnail, waveform, text, audio (AAC rendition), chapters (Podcasting 2.0 JSON chapters), storyboard (sprite sheets and their WebVTT), rendition (HLS playlists; the segments are not listed)"`
	Chapters     []chapterJSON     `json:"chapters,omitempty" doc:"Chapters of the primary file: audio and video metadata (ID3 CHAP, MP4, Matroska), EPUB navigation, PDF outline"`
	Streaming    *streamingJSON    `json:"streaming,omitempty" doc:"Video: adaptive streaming (HLS), once processed"`
	Progress     *float64          `json:"processing_progress,omitempty" doc:"While processing: how far the long work (transcoding) is, 0 to 1, when processing reported it"`
	CreatedAt    time.Time         `json:"created_at" doc:"Creation time"`
	UpdatedAt    time.Time         `json:"updated_at" doc:"Last change"`
	Version      int64             `json:"version" doc:"Increments on every change; the ETag"`
}

// categoryJSON is a node of the category tree.
type categoryJSON struct {
	ID          string    `json:"id" doc:"Category ID"`
	Name        string    `json:"name" doc:"Display name"`
	Slug        string    `json:"slug" doc:"Unique URL-friendly name"`
	Description string    `json:"description" doc:"Description"`
	ParentID    *string   `json:"parent_id" doc:"Parent category, null at the top level"`
	Status      string    `json:"status" enum:"active,removed" doc:"removed categories are visible to moderators only"`
	CreatedAt   time.Time `json:"created_at" doc:"Creation time"`
	UpdatedAt   time.Time `json:"updated_at" doc:"Last change"`
	Version     int64     `json:"version" doc:"Increments on every change; the ETag"`
}

// authorView is a as actor may see it.
func authorView(a domain.Author, actor domain.Actor) authorJSON {
	out := authorJSON{ID: a.ID, Name: a.Name, Bio: a.Bio, Links: linkViews(a.Links), Avatar: a.Avatar, Status: a.Status,
		RemovedBy: a.RemovedBy, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: a.Version}
	if a.MembersVisibleTo(actor) {
		out.Members = memberViews(a.Members)
	}
	return out
}

func authorViews(list []domain.Author, actor domain.Actor) []authorJSON {
	out := make([]authorJSON, len(list))
	for i, a := range list {
		out[i] = authorView(a, actor)
	}
	return out
}

// linkViews keeps nil nil: a nil list and an empty one encode differently.
func linkViews(list []domain.AuthorLink) []authorLinkJSON {
	if list == nil {
		return nil
	}
	out := make([]authorLinkJSON, len(list))
	for i, l := range list {
		out[i] = authorLinkJSON(l)
	}
	return out
}

// linksOf is the domain form of links given in a request body.
func linksOf(list []authorLinkJSON) []domain.AuthorLink {
	if list == nil {
		return nil
	}
	out := make([]domain.AuthorLink, len(list))
	for i, l := range list {
		out[i] = domain.AuthorLink(l)
	}
	return out
}

func memberView(m domain.AuthorMember) authorMemberJSON {
	return authorMemberJSON{UserID: m.UserID, Role: m.Role, AddedAt: m.AddedAt}
}

func memberViews(list []domain.AuthorMember) []authorMemberJSON {
	if list == nil {
		return nil
	}
	out := make([]authorMemberJSON, len(list))
	for i, m := range list {
		out[i] = memberView(m)
	}
	return out
}

func mediaView(m domain.Media) mediaJSON {
	out := mediaJSON{ID: m.ID, Title: m.Title, Description: m.Description, Kind: m.Kind, Language: m.Language,
		AuthorIDs: m.AuthorIDs, CategoryIDs: m.CategoryIDs, Tags: m.Tags, License: m.License, PublishedAt: m.PublishedAt,
		Status: m.Status, RemovedBy: m.RemovedBy, StatusReason: m.StatusReason, CreatedAt: m.CreatedAt,
		UpdatedAt: m.UpdatedAt, Version: m.Version}
	if m.Content != nil {
		c := mediaContentJSON(*m.Content)
		out.Content = &c
		out.Chapters, out.Streaming = chapterViews(m.Content.Chapters), streamingView(m)
	}
	if m.Status == domain.MediaProcessing {
		out.Progress = m.ProcessingProgress
	}
	if m.Derivatives != nil {
		out.Derivatives = make([]derivativeJSON, len(m.Derivatives))
		for i, d := range m.Derivatives {
			out.Derivatives[i] = derivativeJSON(d)
		}
	}
	return out
}

func mediaViews(list []domain.Media) []mediaJSON {
	if list == nil {
		return nil
	}
	out := make([]mediaJSON, len(list))
	for i, m := range list {
		out[i] = mediaView(m)
	}
	return out
}

func categoryView(c domain.Category) categoryJSON { return categoryJSON(c) }

func categoryViews(list []domain.Category) []categoryJSON {
	if list == nil {
		return nil
	}
	out := make([]categoryJSON, len(list))
	for i, c := range list {
		out[i] = categoryView(c)
	}
	return out
}

func chapterViews(list []domain.Chapter) []chapterJSON {
	if len(list) == 0 {
		return nil
	}
	out := make([]chapterJSON, len(list))
	for i, c := range list {
		out[i] = chapterJSON{Title: c.Title, Href: c.Href, Page: c.Page}
		if c.Href == "" && c.Page == 0 {
			start := c.Start
			out[i].Start = &start
			if c.End > 0 {
				end := c.End
				out[i].End = &end
			}
		}
	}
	return out
}

// streamingView lists a video's renditions when it has its master
// playlist.
func streamingView(m domain.Media) *streamingJSON {
	if len(m.Content.Renditions) == 0 {
		return nil
	}
	base := "/v1/media/" + m.ID + "/derivatives/"
	out := &streamingJSON{HLSURL: base + "hls.m3u8", Renditions: make([]renditionJSON, len(m.Content.Renditions))}
	for i, r := range m.Content.Renditions {
		out.Renditions[i] = renditionJSON{Width: r.Width, Height: r.Height, Bandwidth: r.Bandwidth, Codecs: r.Codecs, URL: base + r.Name}
	}
	return out
}
