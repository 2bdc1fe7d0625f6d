package search

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Search publishes no events; it consumes catalog's and processing's.
const (
	eventAuthorCreated    = "catalog.author.created.v1"
	eventAuthorUpdated    = "catalog.author.updated.v1"
	eventAuthorRemoved    = "catalog.author.removed.v1"
	eventAuthorRestored   = "catalog.author.restored.v1"
	eventAuthorDeleted    = "catalog.author.deleted.v1"
	eventMemberAdded      = "catalog.author.member.added.v1"
	eventMemberUpdated    = "catalog.author.member.updated.v1"
	eventMemberRemoved    = "catalog.author.member.removed.v1"
	eventMediaCreated     = "catalog.media.created.v1"
	eventMediaUpdated     = "catalog.media.updated.v1"
	eventMediaPublished   = "catalog.media.published.v1"
	eventMediaRemoved     = "catalog.media.removed.v1"
	eventMediaRestored    = "catalog.media.restored.v1"
	eventMediaDeleted     = "catalog.media.deleted.v1"
	eventCategoryCreated  = "catalog.category.created.v1"
	eventCategoryUpdated  = "catalog.category.updated.v1"
	eventCategoryRemoved  = "catalog.category.removed.v1"
	eventCategoryRestored = "catalog.category.restored.v1"
	eventCategoryDeleted  = "catalog.category.deleted.v1"
	eventMediaProcessed   = "processing.media.processed.v1"
	eventLikeCreated      = "engagement.like.created.v1"
	eventLikeDeleted      = "engagement.like.deleted.v1"
	eventViewRecorded     = "engagement.view.recorded.v1"
)

// The fields of catalog's payloads search reads (consumers ignore others).

type authorEvent struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	Version int64  `json:"version"`
}

type memberEvent struct {
	AuthorID string `json:"author_id"`
	UserID   string `json:"user_id"`
}

type categoryEvent struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	ParentID *string `json:"parent_id"`
	Status   string  `json:"status"`
	Version  int64   `json:"version"`
}

type mediaEvent struct {
	ID          string                 `json:"id"`
	Title       string                 `json:"title"`
	Description string                 `json:"description"`
	Kind        string                 `json:"kind"`
	Language    string                 `json:"language"`
	AuthorIDs   []string               `json:"author_ids"`
	CategoryIDs []string               `json:"category_ids"`
	Tags        []string               `json:"tags"`
	License     string                 `json:"license"`
	PublishedAt *time.Time             `json:"published_at"`
	Status      string                 `json:"status"`
	Content     *searchContentJSON     `json:"content"`
	Derivatives []searchDerivativeJSON `json:"derivatives"`
	CreatedAt   time.Time              `json:"created_at"`
	UpdatedAt   time.Time              `json:"updated_at"`
	Version     int64                  `json:"version"`
}

// engagementEvent is the union of the like and view payload fields read.
type engagementEvent struct {
	MediaID string `json:"media_id"`
	Views   int64  `json:"views"`
}

type processedEvent struct {
	MediaID string `json:"media_id"`
	SHA256  string `json:"sha256"`
	Content struct {
		ContentType string `json:"content_type"`
		Chapters    []struct {
			Title   string `json:"title"`
			Href    string `json:"href"`
			Section int    `json:"section"`
		} `json:"chapters"`
	} `json:"content"`
}

// Consumes lists the events search handles, for the event catalogue.
var Consumes = []events.Consumer{
	{Type: eventAuthorCreated, Effect: "Indexes the author's name (suggestions; its items' author field)."},
	{Type: eventAuthorUpdated, Effect: "Re-indexes the author's name in every item crediting it."},
	{Type: eventAuthorRemoved, Effect: "Hides every item crediting the author from search at once (before catalog's saga removes them)."},
	{Type: eventAuthorRestored, Effect: "Makes the author's published items searchable again (those no other removed author hides)."},
	{Type: eventAuthorDeleted, Effect: "Forgets the author and its members."},
	{Type: eventMemberAdded, Effect: "Lets the member find the author's drafts with scope=mine."},
	{Type: eventMemberUpdated, Effect: "Same as member.added (the role does not matter to search)."},
	{Type: eventMemberRemoved, Effect: "The former member no longer finds the author's drafts."},
	{Type: eventMediaCreated, Effect: "Indexes the item (found by the public only once published)."},
	{Type: eventMediaUpdated, Effect: "Re-indexes the item; an unpublished one leaves public results. An older version than the indexed one is ignored."},
	{Type: eventMediaPublished, Effect: "Makes the item searchable and queues the fetch of its extracted text (text derivative) from storage's public API."},
	{Type: eventMediaRemoved, Effect: "Hides the item."},
	{Type: eventMediaRestored, Effect: "Re-indexes the item with the status it came back to."},
	{Type: eventMediaDeleted, Effect: "Forgets the item and its text."},
	{Type: eventCategoryCreated, Effect: "Records the category in the tree (category_id filters include descendants)."},
	{Type: eventCategoryUpdated, Effect: "Moves or renames the category in the tree."},
	{Type: eventCategoryRemoved, Effect: "Records the category's status."},
	{Type: eventCategoryRestored, Effect: "Records the category's status."},
	{Type: eventCategoryDeleted, Effect: "Drops the category from the tree."},
	{Type: eventLikeCreated, Effect: "Adds 10 to the item's popularity (sort=popular), copied into the index in batches every popularity_flush."},
	{Type: eventLikeDeleted, Effect: "Takes 10 back from the item's popularity (batched alike)."},
	{Type: eventViewRecorded, Effect: "Adds the batch's views to the item's popularity (batched alike)."},
	{Type: eventMediaProcessed, Effect: "Records an EPUB's table of contents (each entry's section of the text), so search-inside passages name their chapter. When the item is published and its text not yet indexed, queues the fetch of its extracted text (storage records the derivative from the same event, so the fetch retries until it is served)."},
}
