package notify

import "github.com/alexandria-platform/alexandria/internal/platform/events"

// The events notify consumes. It publishes none of its own.
const (
	eventFollowCreated  = "engagement.follow.created.v1"
	eventFollowDeleted  = "engagement.follow.deleted.v1"
	eventReportResolved = "engagement.report.resolved.v1"
	eventMediaCreated   = "catalog.media.created.v1"
	eventMediaUpdated   = "catalog.media.updated.v1"
	eventMediaPublished = "catalog.media.published.v1"
	eventMediaRemoved   = "catalog.media.removed.v1"
	eventMediaRestored  = "catalog.media.restored.v1"
	eventMediaDeleted   = "catalog.media.deleted.v1"
	eventAuthorDeleted  = "catalog.author.deleted.v1"
	eventMemberAdded    = "catalog.author.member.added.v1"
	eventMemberRemoved  = "catalog.author.member.removed.v1"
	eventMediaProcessed = "processing.media.processed.v1"
	eventMediaFailed    = "processing.media.failed.v1"
	eventUserRegistered = "identity.user.registered.v1"
	eventUserUpdated    = "identity.user.updated.v1"
	eventUserDeleted    = "identity.user.deleted.v1"

	eventVerificationRequested  = "identity.email.verification_requested.v1"
	eventPasswordResetRequested = "identity.password.reset_requested.v1"
)

// Events lists the event types notify publishes: none.
var Events = []events.Spec{}

// Consumes lists the events notify handles, for the catalogue.
var Consumes = []events.Consumer{
	{Type: eventFollowCreated, Effect: "Learns who follows an author, a category or a tag (notify's own read model)."},
	{Type: eventFollowDeleted, Effect: "Forgets the follow."},
	{Type: eventMediaCreated, Effect: "Learns the item's title, authors, categories and tags (also media.updated, removed, restored); an older version is ignored."},
	{Type: eventMediaUpdated, Effect: "As media.created."},
	{Type: eventMediaRemoved, Effect: "As media.created."},
	{Type: eventMediaRestored, Effect: "As media.created."},
	{Type: eventMediaPublished, Effect: "As media.created, and queues the item's fan-out (once per item): every follower of one of its authors, categories or tags gets an inbox entry, written in batches by a background worker."},
	{Type: eventMediaDeleted, Effect: "Forgets the item."},
	{Type: eventAuthorDeleted, Effect: "Forgets the author's members."},
	{Type: eventMemberAdded, Effect: "Learns the member; every member of the author (the new one included) is notified."},
	{Type: eventMemberRemoved, Effect: "Forgets the member."},
	{Type: eventMediaProcessed, Effect: "Notifies the members of the item's authors that it was processed."},
	{Type: eventMediaFailed, Effect: "Notifies the members of the item's authors that processing failed, with the reason."},
	{Type: eventReportResolved, Effect: "Notifies the members of the reported item's (or author's) authors how the report was resolved."},
	{Type: eventUserRegistered, Effect: "Learns the user's e-mail address (also user.updated)."},
	{Type: eventUserUpdated, Effect: "As user.registered; an older version is ignored."},
	{Type: eventUserDeleted, Effect: "Erases the user's inbox, deliveries, account mails, preferences, follows, memberships, push subscriptions, mobile devices and the webhooks they registered (erasure saga)."},
	{Type: eventVerificationRequested, Effect: "Mails the verification link at once through the mail channel (SMTP, SES or .eml; text and HTML), whatever the user's preferences, digest or quiet hours; the link is never logged and the stored mail is blanked once sent."},
	{Type: eventPasswordResetRequested, Effect: "As verification_requested, with the password reset link."},
}
