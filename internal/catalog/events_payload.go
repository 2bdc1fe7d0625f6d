package catalog

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// The payloads of catalog's published events, built from domain values.
// They are a contract of their own: the schemas in api/events/ are
// generated from these types, and a published version only ever gains
// optional fields (`alexandria events catalogue` refuses the rest).

// authorLinkV1 is an external link on an author's profile.
type authorLinkV1 struct {
	Title string `json:"title" maxLength:"200" doc:"What the link points to, e.g. Website"`
	URL   string `json:"url" maxLength:"2000" doc:"Absolute http(s) URL"`
}

// authorMemberV1 is a user account that may act for an author.
type authorMemberV1 struct {
	UserID  string    `json:"user_id" doc:"Identity user ID"`
	Role    string    `json:"role" enum:"owner,member" doc:"owner: manages members; member: publishes"`
	AddedAt time.Time `json:"added_at" doc:"When the user became a member"`
}

// authorV1 is the payload of the author events.
type authorV1 struct {
	ID        string           `json:"id" doc:"Author ID"`
	Name      string           `json:"name" doc:"Display name"`
	Bio       string           `json:"bio" doc:"Biography"`
	Links     []authorLinkV1   `json:"links" doc:"External links"`
	Avatar    string           `json:"avatar" doc:"Avatar image: an absolute http(s) URL, or empty"`
	Status    string           `json:"status" enum:"active,removed" doc:"removed authors are hidden from everyone but their members and moderators"`
	RemovedBy string           `json:"removed_by,omitempty" enum:"owner,moderator" doc:"Who removed a removed author: owner (its owners or moderators may restore it) or moderator (only moderators may; also when its only owner's account was deleted)"`
	Members   []authorMemberV1 `json:"members" doc:"Accounts acting for the author"`
	CreatedAt time.Time        `json:"created_at" doc:"Creation time"`
	UpdatedAt time.Time        `json:"updated_at" doc:"Last change"`
	Version   int64            `json:"version" doc:"Increments on every change; the ETag"`
}

// memberV1 is the payload of the author member events.
type memberV1 struct {
	AuthorID string `json:"author_id" doc:"The author"`
	UserID   string `json:"user_id" doc:"Identity user ID of the member"`
	Role     string `json:"role" enum:"owner,member" doc:"The member's role; for a removal, the role they had"`
}

// mediaContentV1 describes an item's primary file, as processing found it.
type mediaContentV1 struct {
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
	// Not in this version of the payload.
	Chapters   []domain.Chapter   `json:"-"`
	Renditions []domain.Rendition `json:"-"`
}

// derivativeV1 is a file processing made from the primary one.
type derivativeV1 struct {
	Kind        string `json:"kind" doc:"cover, thumbnail, waveform (peaks as JSON), waveform_image, text or rendition"`
	Name        string `json:"name" doc:"File name under the item's derivatives"`
	URL         string `json:"url" doc:"Where to fetch it"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// mediaV1 is the payload of the media events.
type mediaV1 struct {
	ID           string          `json:"id" doc:"Media ID"`
	Title        string          `json:"title" doc:"Title"`
	Description  string          `json:"description" doc:"Description"`
	Kind         string          `json:"kind" enum:"book,document,podcast,video" doc:"What the item is; fixed at creation"`
	Language     string          `json:"language" doc:"BCP 47 language tag, canonical form"`
	AuthorIDs    []string        `json:"author_ids" doc:"Authors, in credit order"`
	CategoryIDs  []string        `json:"category_ids" doc:"Categories"`
	Tags         []string        `json:"tags" doc:"Lower-case tags"`
	License      string          `json:"license" doc:"SPDX license identifier, empty when not stated"`
	PublishedAt  *time.Time      `json:"published_at" doc:"Publication date, null until first published"`
	Status       string          `json:"status" enum:"draft,processing,published,failed,removed" doc:"Lifecycle status"`
	RemovedBy    string          `json:"removed_by,omitempty" doc:"When the item is removed because one of its authors was: that author's ID (restoring the author restores the item)"`
	StatusReason string          `json:"status_reason,omitempty" doc:"Why processing failed, for the item's members"`
	Content      *mediaContentV1 `json:"content,omitempty" doc:"The primary file, once processed"`
	Derivatives  []derivativeV1  `json:"derivatives,omitempty" doc:"Files made from the primary one: cover, thumbnail, waveform, text"`
	CreatedAt    time.Time       `json:"created_at" doc:"Creation time"`
	UpdatedAt    time.Time       `json:"updated_at" doc:"Last change"`
	Version      int64           `json:"version" doc:"Increments on every change; the ETag"`
}

// categoryV1 is the payload of the category events.
type categoryV1 struct {
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

// authorPayload keeps nil lists nil: a nil list encodes as null, an empty
// one as [], and consumers have seen both.
func authorPayload(a domain.Author) authorV1 {
	out := authorV1{ID: a.ID, Name: a.Name, Bio: a.Bio, Avatar: a.Avatar, Status: a.Status, RemovedBy: a.RemovedBy,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: a.Version}
	if a.Links != nil {
		out.Links = make([]authorLinkV1, len(a.Links))
		for i, l := range a.Links {
			out.Links[i] = authorLinkV1(l)
		}
	}
	if a.Members != nil {
		out.Members = make([]authorMemberV1, len(a.Members))
		for i, m := range a.Members {
			out.Members[i] = authorMemberV1{UserID: m.UserID, Role: m.Role, AddedAt: m.AddedAt}
		}
	}
	return out
}

func mediaPayload(m domain.Media) mediaV1 {
	out := mediaV1{ID: m.ID, Title: m.Title, Description: m.Description, Kind: m.Kind, Language: m.Language,
		AuthorIDs: m.AuthorIDs, CategoryIDs: m.CategoryIDs, Tags: m.Tags, License: m.License, PublishedAt: m.PublishedAt,
		Status: m.Status, RemovedBy: m.RemovedBy, StatusReason: m.StatusReason, CreatedAt: m.CreatedAt,
		UpdatedAt: m.UpdatedAt, Version: m.Version}
	if m.Content != nil {
		c := mediaContentV1(*m.Content)
		out.Content = &c
	}
	if m.Derivatives != nil {
		out.Derivatives = make([]derivativeV1, len(m.Derivatives))
		for i, d := range m.Derivatives {
			out.Derivatives[i] = derivativeV1(d)
		}
	}
	return out
}
