package feeds

import (
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Event types feeds consumes. It publishes none: feeds are views.
const (
	eventMediaCreated   = "catalog.media.created.v1"
	eventMediaUpdated   = "catalog.media.updated.v1"
	eventMediaPublished = "catalog.media.published.v1"
	eventMediaRemoved   = "catalog.media.removed.v1"
	eventMediaRestored  = "catalog.media.restored.v1"
	eventMediaDeleted   = "catalog.media.deleted.v1"

	eventAuthorCreated  = "catalog.author.created.v1"
	eventAuthorUpdated  = "catalog.author.updated.v1"
	eventAuthorRemoved  = "catalog.author.removed.v1"
	eventAuthorRestored = "catalog.author.restored.v1"
	eventAuthorDeleted  = "catalog.author.deleted.v1"

	eventCategoryCreated  = "catalog.category.created.v1"
	eventCategoryUpdated  = "catalog.category.updated.v1"
	eventCategoryRemoved  = "catalog.category.removed.v1"
	eventCategoryRestored = "catalog.category.restored.v1"
	eventCategoryDeleted  = "catalog.category.deleted.v1"

	eventIdentityUserDeleted = "identity.user.deleted.v1"
)

// Consumes lists the events feeds handles, for the event catalogue.
var Consumes = []events.Consumer{
	{Type: eventMediaCreated, Effect: "Keeps the item's copy (a draft is in no feed)."},
	{Type: eventMediaUpdated, Effect: "Replaces the item's copy if the version is newer; an item no longer published leaves every feed. Sizes, types and durations come from the payload's content, which catalog fills from processing.media.processed."},
	{Type: eventMediaPublished, Effect: "The item enters its authors', categories' and tags' feeds and the OPDS catalogs (books and documents) or podcast feeds (podcasts and videos)."},
	{Type: eventMediaRemoved, Effect: "The item leaves every feed; cached feeds are invalidated once the change commits, so no conditional request is answered from a feed that still lists it."},
	{Type: eventMediaRestored, Effect: "The item returns to the feeds it was in, with the same guid."},
	{Type: eventMediaDeleted, Effect: "Leaves a tombstone: the item is in no feed and late events cannot bring it back."},
	{Type: eventAuthorCreated, Effect: "Keeps the author's name, bio, links and avatar for feed titles, itunes:author, podcast:person and podcast:funding."},
	{Type: eventAuthorUpdated, Effect: "Replaces the author's copy if the version is newer."},
	{Type: eventAuthorRemoved, Effect: "The author's feeds answer 404 (its media leave through media.removed)."},
	{Type: eventAuthorRestored, Effect: "The author's feeds answer again."},
	{Type: eventAuthorDeleted, Effect: "The author's feeds answer 404 for good."},
	{Type: eventCategoryCreated, Effect: "Keeps the category for its feeds and the OPDS navigation."},
	{Type: eventCategoryUpdated, Effect: "Replaces the category's copy if the version is newer."},
	{Type: eventCategoryRemoved, Effect: "The category's feeds answer 404 and it leaves the OPDS navigation."},
	{Type: eventCategoryRestored, Effect: "The category's feeds answer again."},
	{Type: eventCategoryDeleted, Effect: "The category's feeds answer 404 for good."},
	{Type: eventIdentityUserDeleted, Effect: "Erases the user's private feed tokens: their private feed URLs answer 404 from then on."},
}
