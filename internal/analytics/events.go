package analytics

import "github.com/alexandria-platform/alexandria/internal/platform/events"

// The events analytics consumes. It publishes none.
const (
	eventMediaCreated   = "catalog.media.created.v1"
	eventMediaUpdated   = "catalog.media.updated.v1"
	eventMediaPublished = "catalog.media.published.v1"
	eventMediaRemoved   = "catalog.media.removed.v1"
	eventMediaRestored  = "catalog.media.restored.v1"
	eventMediaDeleted   = "catalog.media.deleted.v1"
	eventMemberAdded    = "catalog.author.member.added.v1"
	eventMemberRemoved  = "catalog.author.member.removed.v1"

	eventUserDeleted     = "identity.user.deleted.v1"
	eventFollowCreated   = "engagement.follow.created.v1"
	eventLikeCreated     = "engagement.like.created.v1"
	eventLikeDeleted     = "engagement.like.deleted.v1"
	eventViewRecorded    = "engagement.view.recorded.v1"
	eventProgressUpdated = "engagement.progress.updated.v1"
)

// Events lists what analytics publishes: nothing.
var Events []events.Spec

// Consumes lists the events analytics handles, for the catalogue. Besides
// these, every catalog and engagement event is appended to the lake.
var Consumes = []events.Consumer{
	{Type: eventMediaCreated, Effect: "Learns the item's kind, language, categories, authors and status (only published items trend). Every media event does the same; an older one (lower version) is ignored. Like every catalog and engagement event, it is also appended to the Parquet lake."},
	{Type: eventMediaUpdated, Effect: "As media.created."},
	{Type: eventMediaPublished, Effect: "As media.created."},
	{Type: eventMediaRemoved, Effect: "As media.created: the item leaves trending, popular and related lists."},
	{Type: eventMediaRestored, Effect: "As media.created."},
	{Type: eventMediaDeleted, Effect: "Forgets the item: it leaves rankings, related items and its authors' statistics."},
	{Type: eventMemberAdded, Effect: "The user may read the author's statistics."},
	{Type: eventMemberRemoved, Effect: "The user may no longer read the author's statistics."},
	{Type: eventViewRecorded, Effect: "Adds views × weight_view to the item's y in the hour, day and week windows of the event, and counts views and new unique viewers in the item's hour."},
	{Type: eventLikeCreated, Effect: "Adds weight_like to the item's y in its windows; counts a like in the item's hour."},
	{Type: eventLikeDeleted, Effect: "Subtracts weight_like from the item's y in the windows of the event (not of the like)."},
	{Type: eventProgressUpdated, Effect: "A user's first finished state of an item adds weight_completion to its y and counts a completion; it also feeds related items."},
	{Type: eventUserDeleted, Effect: "Erases the user's completions (what related items are computed from) and author memberships; aggregate counts stay. Lake files are an archive of events as published and are not rewritten."},
	{Type: eventFollowCreated, Effect: "A follow of an author adds weight_follow to the y of each of the author's published items and counts a new follower in the author's hour."},
}
