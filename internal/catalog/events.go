package catalog

import (
	"slices"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Event types catalog publishes on its topic, alexandria_catalog.
const (
	EventAuthorCreated       = "catalog.author.created.v1"
	EventAuthorUpdated       = "catalog.author.updated.v1"
	EventAuthorRemoved       = "catalog.author.removed.v1"
	EventAuthorRestored      = "catalog.author.restored.v1"
	EventAuthorDeleted       = "catalog.author.deleted.v1"
	EventMemberAdded         = "catalog.author.member.added.v1"
	EventMemberUpdated       = "catalog.author.member.updated.v1"
	EventMemberRemoved       = "catalog.author.member.removed.v1"
	EventMediaCreated        = "catalog.media.created.v1"
	EventMediaUpdated        = "catalog.media.updated.v1"
	EventMediaPublished      = "catalog.media.published.v1"
	EventMediaRemoved        = "catalog.media.removed.v1"
	EventMediaRestored       = "catalog.media.restored.v1"
	EventMediaDeleted        = "catalog.media.deleted.v1"
	EventCategoryCreated     = "catalog.category.created.v1"
	EventCategoryUpdated     = "catalog.category.updated.v1"
	EventCategoryRemoved     = "catalog.category.removed.v1"
	EventCategoryRestored    = "catalog.category.restored.v1"
	EventCategoryDeleted     = "catalog.category.deleted.v1"
	eventIdentityUserDeleted = "identity.user.deleted.v1"
	// Identity's events that block and unblock an account (consume_users.go).
	eventIdentityUserSuspended  = "identity.user.suspended.v1"
	eventIdentityUserReinstated = "identity.user.reinstated.v1"
)

// Events lists every event type catalog publishes, for the event catalogue.
var Events = []events.Spec{
	{Type: EventAuthorCreated, Payload: authorV1{},
		Description: "An author was created. Its creator, the first owner, is announced by a member.added event right after."},
	{Type: EventAuthorUpdated, Payload: authorV1{},
		Description: "An author's profile (name, bio, links, avatar) changed. Member changes have their own events; the author's version moves with every change."},
	{Type: EventAuthorRemoved, Payload: authorV1{},
		Description: "An author was soft-deleted: by an owner or moderator (removed_by says which), or because its only owner's account was deleted (removed_by moderator). Its media follow (author-removal saga)."},
	{Type: EventAuthorRestored, Payload: authorV1{},
		Description: "A moderator, or an owner when the owners removed it, restored a removed author. The media removed because of it follow (author-removal saga)."},
	{Type: EventAuthorDeleted, Payload: authorV1{},
		Description: "An administrator deleted an author permanently, with its memberships; the payload is the author as it was. Media it solely authored are deleted too (media.deleted), the others lose the credit (media.updated)."},
	{Type: EventMemberAdded, Payload: memberV1{},
		Description: "A user became a member of an author (also the creator of a new author)."},
	{Type: EventMemberUpdated, Payload: memberV1{},
		Description: "A member's role changed (owner or member)."},
	{Type: EventMemberRemoved, Payload: memberV1{},
		Description: "A user stopped being a member of an author: removed by an owner, left, or their account was deleted."},
	{Type: EventMediaCreated, Payload: mediaV1{},
		Description: "A media item was created. One created as published is followed by media.published."},
	{Type: EventMediaUpdated, Payload: mediaV1{},
		Description: "A media item changed other than by being published, removed or restored: edited, unpublished, uncredited or uncategorised by a purge, or its removal cause moved to another removed author."},
	{Type: EventMediaPublished, Payload: mediaV1{},
		Description: "A media item's status became published: by its members (edits made in the same request are in the payload), or when a published item's new file finished processing."},
	{Type: EventMediaRemoved, Payload: mediaV1{},
		Description: "A media item was soft-deleted: on its own (removed_by empty) or because an author of it was removed (removed_by is that author)."},
	{Type: EventMediaRestored, Payload: mediaV1{},
		Description: "A removed media item came back to the status it had: restored by a moderator, or because the author whose removal removed it was restored."},
	{Type: EventMediaDeleted, Payload: mediaV1{},
		Description: "A media item was deleted permanently (by an administrator, or with its only author); the payload is the item as it was."},
	{Type: EventCategoryCreated, Payload: categoryV1{}, Description: "A category was created."},
	{Type: EventCategoryUpdated, Payload: categoryV1{}, Description: "A category was renamed, re-described, re-slugged or moved."},
	{Type: EventCategoryRemoved, Payload: categoryV1{}, Description: "A category was soft-deleted."},
	{Type: EventCategoryRestored, Payload: categoryV1{}, Description: "A removed category was restored."},
	{Type: EventCategoryDeleted, Payload: categoryV1{},
		Description: "A category was deleted permanently; the payload is the category as it was. Media in it lose it (media.updated)."},
}

// Consumes lists the events catalog handles, for the event catalogue.
var Consumes = []events.Consumer{
	{Type: eventIdentityUserDeleted, Effect: "Refuses the user's writes from then on (403 account suspended, even with an access token still valid); takes the user off every author (member.removed each); authors the user was the only owner of are removed (author.removed)."},
	{Type: eventIdentityUserSuspended, Effect: "Refuses the user's writes (403 account suspended) while their access token is still valid. Until the event arrives (normally well under a second), a suspended user can still write."},
	{Type: eventIdentityUserReinstated, Effect: "Accepts the user's writes again."},
	{Type: EventAuthorRemoved, Effect: "Removes the author's media that are not removed yet, remembering the author as the cause (media.removed each); drops the read cache."},
	{Type: EventAuthorRestored, Effect: "Restores exactly the media removed because of the author (media.restored each); drops the read cache."},
	{Type: eventUploadCompleted, Effect: "Points the media item at its new original and sets it processing (media.updated); what was known of an older file is dropped. A report of a file storage recorded before the item's current one (earlier completed_at) is stale and ignored."},
	{Type: eventMediaProcessed, Effect: "For the item's current original: records content and derivatives and returns the item to the status it had before the upload (media.updated for a draft, media.published for a published item). Reports about an older original are ignored."},
	{Type: eventProcessingFailed, Effect: "For the item's current original: the item becomes failed with status_reason (media.updated)."},
	{Type: eventMediaProgress, Effect: "For the item's current original while it is processing: records processing_progress when it grew (media.updated)."},
}

// Sagas documents catalog's sagas for the event catalogue.
var Sagas = []events.Saga{
	{Name: "user deletion (identity → catalog)", Description: `
1. identity deletes the account and records ` + "`identity.user.deleted.v1`" + ` in the same transaction.
2. catalog takes the user off every author it was a member of (` + "`catalog.author.member.removed.v1`" + ` each). An
   author the user was the **only owner** of becomes ` + "`removed`" + ` (` + "`catalog.author.removed.v1`" + `); an author
   with other owners stays ` + "`active`" + `. A moderator may restore a removed author later.
3. The author-removal saga takes the removed authors' media along.

What a client sees: ` + "`GET /v1/authors/{id}/members`" + ` no longer lists the user; solely-owned authors answer
` + "`status: removed`" + ` (to moderators) and vanish from public lists; then their media go ` + "`removed`" + `.
Every author is handled in the same consumer transaction; an author already without the user is skipped, so a
redelivered or replayed event changes nothing.`},
	{Name: "author removal and restore (catalog → catalog)", Description: `
- On ` + "`catalog.author.removed.v1`" + `: if the author is (still) removed, every media item crediting it that is not
  removed yet becomes ` + "`removed`" + ` with ` + "`removed_by`" + ` set to the author (` + "`catalog.media.removed.v1`" + ` each).
  Items removed earlier on their own keep their own cause.
- On ` + "`catalog.author.restored.v1`" + `: if the author is (still) active, every item with ` + "`removed_by`" + ` = the
  author returns to the status it had (` + "`catalog.media.restored.v1`" + ` each). An item another of whose authors is
  still removed stays removed, and that author becomes its ` + "`removed_by`" + ` (` + "`catalog.media.updated.v1`" + `), so
  that author's restore brings it back.

Removing or restoring an author answers at once; its media follow within moments (eventual consistency): poll
` + "`GET /v1/media?author_id={id}&status=removed`" + ` to watch them. The handlers look at the current state of the author
and of each item, never at the event alone: an event delivered twice, or late after a restore, has no effect.`},
}

// event is one event a change records.
type event struct {
	typ, subject, key string
	data              any
}

func authorEvent(typ string, a domain.Author) event {
	return event{typ: typ, subject: "author/" + a.ID, key: a.ID, data: authorPayload(a)}
}

func memberEvent(typ, authorID string, m domain.AuthorMember) event {
	return event{typ: typ, subject: "author/" + authorID, key: authorID,
		data: memberV1{AuthorID: authorID, UserID: m.UserID, Role: m.Role}}
}

func mediaEvent(typ string, m domain.Media) event {
	return event{typ: typ, subject: "media/" + m.ID, key: m.ID, data: mediaPayload(m)}
}

func categoryEvent(typ string, c domain.Category) event {
	return event{typ: typ, subject: "category/" + c.ID, key: c.ID, data: categoryV1(c)}
}

// authorCreatedEvents announces a new author and its first members.
func authorCreatedEvents(a domain.Author) []event {
	out := []event{authorEvent(EventAuthorCreated, a)}
	for _, m := range a.Members {
		out = append(out, memberEvent(EventMemberAdded, a.ID, m))
	}
	return out
}

// authorEvents are the events of a change from before to after: a profile
// edit, each member added, re-roled or removed, and a status change.
func authorEvents(before, after domain.Author) []event {
	if after.Version == before.Version {
		return nil
	}
	var out []event
	profileChanged := before.Name != after.Name || before.Bio != after.Bio || before.Avatar != after.Avatar ||
		!slices.Equal(before.Links, after.Links)
	if profileChanged {
		out = append(out, authorEvent(EventAuthorUpdated, after))
	}
	had := map[string]domain.AuthorMember{}
	for _, m := range before.Members {
		had[m.UserID] = m
	}
	for _, m := range after.Members {
		old, ok := had[m.UserID]
		switch {
		case !ok:
			out = append(out, memberEvent(EventMemberAdded, after.ID, m))
		case old.Role != m.Role:
			out = append(out, memberEvent(EventMemberUpdated, after.ID, m))
		}
		delete(had, m.UserID)
	}
	for _, m := range before.Members {
		if _, gone := had[m.UserID]; gone {
			out = append(out, memberEvent(EventMemberRemoved, after.ID, m))
		}
	}
	switch {
	case before.Status != domain.StatusRemoved && after.Status == domain.StatusRemoved:
		out = append(out, authorEvent(EventAuthorRemoved, after))
	case before.Status == domain.StatusRemoved && after.Status != domain.StatusRemoved:
		out = append(out, authorEvent(EventAuthorRestored, after))
	}
	if len(out) == 0 {
		// A change the rules above do not name still changed the author.
		out = append(out, authorEvent(EventAuthorUpdated, after))
	}
	return out
}

// mediaCreatedEvents announces a new item; one created published is also
// published.
func mediaCreatedEvents(m domain.Media) []event {
	out := []event{mediaEvent(EventMediaCreated, m)}
	if m.Status == domain.MediaPublished {
		out = append(out, mediaEvent(EventMediaPublished, m))
	}
	return out
}

// mediaEvents is the one event of a change from before to after.
func mediaEvents(before, after domain.Media) []event {
	if after.Version == before.Version {
		return nil
	}
	typ := EventMediaUpdated
	switch {
	case before.Status != domain.MediaRemoved && after.Status == domain.MediaRemoved:
		typ = EventMediaRemoved
	case before.Status == domain.MediaRemoved && after.Status != domain.MediaRemoved:
		typ = EventMediaRestored
	case before.Status != domain.MediaPublished && after.Status == domain.MediaPublished:
		typ = EventMediaPublished
	}
	return []event{mediaEvent(typ, after)}
}

// categoryEvents is the one event of a change from before to after.
func categoryEvents(before, after domain.Category) []event {
	if after.Version == before.Version {
		return nil
	}
	typ := EventCategoryUpdated
	switch {
	case before.Status != domain.StatusRemoved && after.Status == domain.StatusRemoved:
		typ = EventCategoryRemoved
	case before.Status == domain.StatusRemoved && after.Status != domain.StatusRemoved:
		typ = EventCategoryRestored
	}
	return []event{categoryEvent(typ, after)}
}
