package engagement

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Event types engagement publishes on its topic, alexandria_engagement.
const (
	EventFollowCreated   = "engagement.follow.created.v1"
	EventFollowDeleted   = "engagement.follow.deleted.v1"
	EventLikeCreated     = "engagement.like.created.v1"
	EventLikeDeleted     = "engagement.like.deleted.v1"
	EventViewRecorded    = "engagement.view.recorded.v1"
	EventProgressUpdated = "engagement.progress.updated.v1"
	EventReportCreated   = "engagement.report.created.v1"
	EventReportResolved  = "engagement.report.resolved.v1"
)

// The catalog and identity events engagement consumes.
const (
	eventAuthorCreated       = "catalog.author.created.v1"
	eventAuthorUpdated       = "catalog.author.updated.v1"
	eventAuthorRemoved       = "catalog.author.removed.v1"
	eventAuthorRestored      = "catalog.author.restored.v1"
	eventAuthorDeleted       = "catalog.author.deleted.v1"
	eventMediaCreated        = "catalog.media.created.v1"
	eventMediaUpdated        = "catalog.media.updated.v1"
	eventMediaPublished      = "catalog.media.published.v1"
	eventMediaRemoved        = "catalog.media.removed.v1"
	eventMediaRestored       = "catalog.media.restored.v1"
	eventMediaDeleted        = "catalog.media.deleted.v1"
	eventCategoryCreated     = "catalog.category.created.v1"
	eventCategoryUpdated     = "catalog.category.updated.v1"
	eventCategoryRemoved     = "catalog.category.removed.v1"
	eventCategoryRestored    = "catalog.category.restored.v1"
	eventCategoryDeleted     = "catalog.category.deleted.v1"
	eventIdentityUserDeleted = "identity.user.deleted.v1"
)

// followV1 is the payload of the follow events.
type followV1 struct {
	UserID     string    `json:"user_id" doc:"The follower"`
	TargetType string    `json:"target_type" enum:"author,category,tag" doc:"What is followed"`
	TargetID   string    `json:"target_id" doc:"Author or category ID, or the tag"`
	At         time.Time `json:"at" doc:"When the follow was made (created) or undone (deleted)"`
}

// likeV1 is the payload of the like events.
type likeV1 struct {
	UserID  string    `json:"user_id" doc:"Who likes (or no longer likes) the item"`
	MediaID string    `json:"media_id" doc:"The media item"`
	At      time.Time `json:"at" doc:"When"`
}

// viewRecordedV1 is the payload of view.recorded: the views of one item
// counted in one aggregation batch.
type viewRecordedV1 struct {
	MediaID       string    `json:"media_id" doc:"The media item"`
	Views         int64     `json:"views" doc:"Views counted in this batch (each viewer, item and hour once)"`
	UniqueViewers int64     `json:"unique_viewers" doc:"New unique viewers of the item in this batch: the growth of its HyperLogLog estimate (1.6 % standard error at scale)"`
	CountedAt     time.Time `json:"counted_at" doc:"When the batch was counted"`
}

// progressV1 is the payload of progress.updated.
type progressV1 struct {
	UserID     string    `json:"user_id" doc:"Whose progress"`
	MediaID    string    `json:"media_id" doc:"The media item"`
	Seconds    *float64  `json:"seconds,omitempty" doc:"Audio and video: position in seconds"`
	Page       *int      `json:"page,omitempty" doc:"Books and documents: page"`
	Pages      *int      `json:"pages,omitempty" doc:"Books and documents: pages in all"`
	CFI        string    `json:"cfi,omitempty" doc:"EPUB: position as a CFI"`
	Percent    float64   `json:"percent" doc:"How far through the item, 0 to 100"`
	State      string    `json:"state" enum:"in_progress,finished" doc:"finished from 95 %"`
	Device     string    `json:"device" doc:"The device that reported it"`
	ClientTime time.Time `json:"client_time" doc:"The device's clock when it reported; the latest wins"`
}

// reportV1 is the payload of the report events.
type reportV1 struct {
	ID         string     `json:"id" doc:"Report ID"`
	ReporterID string     `json:"reporter_id,omitempty" doc:"Who reported (absent once their account is deleted)"`
	TargetType string     `json:"target_type" enum:"media,author,user" doc:"What is reported"`
	TargetID   string     `json:"target_id" doc:"Its ID"`
	Reason     string     `json:"reason" enum:"spam,abuse,copyright,illegal,other" doc:"Why"`
	Note       string     `json:"note" doc:"The reporter's words"`
	State      string     `json:"state" enum:"open,resolved" doc:"open until a moderator resolves it"`
	Action     string     `json:"action,omitempty" enum:"dismiss,remove,suspend" doc:"What the moderator did"`
	ResolvedBy string     `json:"resolved_by,omitempty" doc:"The moderator"`
	Resolution string     `json:"resolution,omitempty" doc:"The moderator's note"`
	CreatedAt  time.Time  `json:"created_at" doc:"When it was reported"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty" doc:"When it was resolved"`
}

func reportPayload(r Report) reportV1 {
	out := reportV1{ID: r.ID, TargetType: r.TargetType, TargetID: r.TargetID, Reason: r.Reason, Note: r.Note,
		State: r.State, Action: r.Action, Resolution: r.Resolution, CreatedAt: r.CreatedAt, ResolvedAt: r.ResolvedAt}
	if r.ReporterID != nil {
		out.ReporterID = *r.ReporterID
	}
	if r.ResolvedBy != nil {
		out.ResolvedBy = *r.ResolvedBy
	}
	return out
}

// Events lists every event type engagement publishes, for the catalogue.
var Events = []events.Spec{
	{Type: EventFollowCreated, Payload: followV1{}, Description: "A user started following an author, a category or a tag. Following again publishes nothing."},
	{Type: EventFollowDeleted, Payload: followV1{}, Description: "A user stopped following something (not published for follows erased with the account)."},
	{Type: EventLikeCreated, Payload: likeV1{}, Description: "A user liked a media item. Liking again publishes nothing."},
	{Type: EventLikeDeleted, Payload: likeV1{}, Description: "A user took back a like (not published for likes erased with the account)."},
	{Type: EventViewRecorded, Payload: viewRecordedV1{},
		Description: "Views of one item were counted: views are aggregated in batches (about every half second), and one event carries a batch's count for the item. A viewer counts once per item and hour; crawlers and too-short sightings never reach a batch."},
	{Type: EventProgressUpdated, Payload: progressV1{},
		Description: "A user's position in an item changed (over HTTP or MQTT). An update older than the stored one (earlier client_time) changes nothing and publishes nothing."},
	{Type: EventReportCreated, Payload: reportV1{}, Description: "A user reported a media item, an author or a user to the moderators."},
	{Type: EventReportResolved, Payload: reportV1{},
		Description: "A moderator resolved a report: dismissed it, or removed the media item or author (catalog's API, with the moderator's own token) or suspended the user (identity's API) first."},
}

// Consumes lists the events engagement handles, for the catalogue.
var Consumes = []events.Consumer{
	{Type: eventMediaCreated, Effect: "Learns the item: kind, title, status, authors, categories, tags, and its length (duration or pages) once processed. Every media event does the same; one older than what engagement has (lower version) is ignored."},
	{Type: eventMediaUpdated, Effect: "As media.created; an unpublished item becomes hidden (likes, follows of it, views and progress answer 404)."},
	{Type: eventMediaPublished, Effect: "As media.created; the item appears in its followers' home feeds."},
	{Type: eventMediaRemoved, Effect: "As media.created: the item is hidden and leaves the feeds."},
	{Type: eventMediaRestored, Effect: "As media.created."},
	{Type: eventMediaDeleted, Effect: "Forgets the item; its counts stay."},
	{Type: eventAuthorCreated, Effect: "Learns the author and its status (active authors may be followed). Also author.updated, removed, restored."},
	{Type: eventAuthorUpdated, Effect: "As author.created."},
	{Type: eventAuthorRemoved, Effect: "As author.created: the author may no longer be followed."},
	{Type: eventAuthorRestored, Effect: "As author.created."},
	{Type: eventAuthorDeleted, Effect: "Forgets the author."},
	{Type: eventCategoryCreated, Effect: "Learns the category and its status. Also category.updated, removed, restored."},
	{Type: eventCategoryUpdated, Effect: "As category.created."},
	{Type: eventCategoryRemoved, Effect: "As category.created: the category may no longer be followed."},
	{Type: eventCategoryRestored, Effect: "As category.created."},
	{Type: eventCategoryDeleted, Effect: "Forgets the category."},
	{Type: eventIdentityUserDeleted, Effect: "Erases the user's follows, likes, progress and collections, and unlinks their reports (erasure saga); aggregate counts stay."},
}

// Sagas documents engagement's part in the user-deletion saga.
var Sagas = []events.Saga{
	{Name: "user erasure (identity → engagement)", Description: `
1. identity deletes the account and records ` + "`identity.user.deleted.v1`" + `.
2. engagement deletes, in one transaction, the user's follows, likes, reading/listening progress and collections.
   View records name nobody (hashes of viewer, item and hour, deleted after the hour; per-item HyperLogLog
   sketches), so there is nothing of theirs to delete there. Reports they made stay for the moderators,
   without the reporter. Counts already aggregated (views, unique viewers, likes, completions, followers) stay.

A redelivered event finds nothing left to delete. No events are published for the erased rows.`},
}

func followPayload(f Follow) followV1 {
	return followV1{UserID: f.UserID, TargetType: f.TargetType, TargetID: f.TargetID, At: f.CreatedAt}
}

func progressPayload(p domain.Progress) progressV1 {
	return progressV1{UserID: p.UserID, MediaID: p.MediaID, Seconds: p.Position.Seconds, Page: p.Position.Page,
		Pages: p.Position.Pages, CFI: p.Position.CFI, Percent: p.Percent, State: progressState(p.Finished),
		Device: p.Device, ClientTime: p.ClientTime}
}

func progressState(finished bool) string {
	if finished {
		return "finished"
	}
	return "in_progress"
}
