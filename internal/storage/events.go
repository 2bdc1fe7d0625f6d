package storage

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Event types storage publishes on its topic, alexandria_storage, and the
// ones it consumes.
const (
	EventUploadCompleted = "storage.upload.completed.v1"
	EventUploadFailed    = "storage.upload.failed.v1"
	EventObjectDeleted   = "storage.object.deleted.v1"

	eventMediaProcessed = "processing.media.processed.v1"
	eventMediaDeleted   = "catalog.media.deleted.v1"

	// Catalog's changes that can change who may download an item.
	eventMediaUpdated   = "catalog.media.updated.v1"
	eventMediaPublished = "catalog.media.published.v1"
	eventMediaRemoved   = "catalog.media.removed.v1"
	eventMediaRestored  = "catalog.media.restored.v1"
	eventAuthorUpdated  = "catalog.author.updated.v1"
	eventAuthorRemoved  = "catalog.author.removed.v1"
	eventAuthorRestored = "catalog.author.restored.v1"
	eventAuthorDeleted  = "catalog.author.deleted.v1"
	eventMemberAdded    = "catalog.author.member.added.v1"
	eventMemberUpdated  = "catalog.author.member.updated.v1"
	eventMemberRemoved  = "catalog.author.member.removed.v1"
)

// UploadCompletedV1 is the payload of storage.upload.completed.v1.
type UploadCompletedV1 struct {
	UploadID    string    `json:"upload_id" doc:"The upload (tus upload ID or the ID of a one-request upload)"`
	MediaID     string    `json:"media_id" doc:"The media item the file belongs to; it replaces the item's previous file"`
	UserID      string    `json:"user_id" doc:"Who uploaded it"`
	ObjectKey   string    `json:"object_key" doc:"Key of the file in the shared bucket: content/<2 hex>/<sha256 hex>"`
	SHA256      string    `json:"sha256" doc:"sha256 of the bytes, hex"`
	Size        int64     `json:"size" doc:"Size in bytes"`
	ContentType string    `json:"content_type" doc:"Type sniffed from the bytes, e.g. application/pdf, video/webm, text/markdown; charset=utf-8"`
	Filename    string    `json:"filename" doc:"Display name the uploader gave, sanitised; never used as a path"`
	Kind        string    `json:"kind" enum:"book,document,podcast,video" doc:"The media item's kind"`
	CompletedAt time.Time `json:"completed_at" doc:"When the upload was recorded. Strictly increases with every file recorded for the item, in the order storage records them (simultaneous uploads included): the file with the latest completed_at is the item's current one, and consumers ignore reports of earlier ones"`
}

// UploadFailedV1 is the payload of storage.upload.failed.v1.
type UploadFailedV1 struct {
	UploadID string    `json:"upload_id" doc:"The upload"`
	MediaID  string    `json:"media_id" doc:"The media item it was for"`
	UserID   string    `json:"user_id" doc:"Who uploaded it"`
	Reason   string    `json:"reason" doc:"Why it was refused, for the uploader (e.g. the bytes are not a PDF or EPUB)"`
	FailedAt time.Time `json:"failed_at" doc:"When it was refused"`
}

// ObjectDeletedV1 is the payload of storage.object.deleted.v1.
type ObjectDeletedV1 struct {
	ObjectKey string    `json:"object_key" doc:"Key of the object in the shared bucket"`
	MediaID   string    `json:"media_id" doc:"The media item that last referenced it"`
	DeletedAt time.Time `json:"deleted_at" doc:"When storage decided to delete it (the bucket delete follows the commit)"`
}

// event is one event a change records: its type, subject, partition key
// and payload. The store writes it in the change's transaction.
type event struct {
	typ, subject, key string
	data              any
}

// uploadCompletedEvent announces u as its media item's current file.
func uploadCompletedEvent(u upload) event {
	return event{typ: EventUploadCompleted, subject: "media/" + u.MediaID, key: u.MediaID, data: UploadCompletedV1{
		UploadID: u.ID, MediaID: u.MediaID, UserID: u.UserID, ObjectKey: u.ObjectKey, SHA256: u.SHA256, Size: u.Size,
		ContentType: u.ContentType, Filename: u.Filename, Kind: u.Kind, CompletedAt: u.CompletedAt}}
}

// uploadFailedEvent announces that p was refused for reason.
func uploadFailedEvent(p pendingUpload, reason string, now time.Time) event {
	return event{typ: EventUploadFailed, subject: "media/" + p.MediaID, key: p.MediaID,
		data: UploadFailedV1{UploadID: p.ID, MediaID: p.MediaID, UserID: p.UserID, Reason: reason, FailedAt: now}}
}

// objectDeletedEvent announces that the object at key, last referenced by
// mediaID, is deleted.
func objectDeletedEvent(key, mediaID string, now time.Time) event {
	return event{typ: EventObjectDeleted, subject: "media/" + mediaID, key: mediaID,
		data: ObjectDeletedV1{ObjectKey: key, MediaID: mediaID, DeletedAt: now}}
}

// mediaProcessed is the part of processing.media.processed.v1 storage reads.
type mediaProcessed struct {
	MediaID     string `json:"media_id"`
	ObjectKey   string `json:"object_key"`
	SHA256      string `json:"sha256"`
	Derivatives []struct {
		Kind        string `json:"kind"`
		ObjectKey   string `json:"object_key"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
	} `json:"derivatives"`
}

// Events lists every event type storage publishes, for the event catalogue.
var Events = []events.Spec{
	{Type: EventUploadCompleted, Payload: UploadCompletedV1{},
		Description: "A file was uploaded for a media item, its bytes matched the kind's allowed formats, and it is stored under its sha256. It becomes the item's current file (catalog: status processing; processing: probe and derivatives)."},
	{Type: EventUploadFailed, Payload: UploadFailedV1{},
		Description: "An upload finished but was refused (its bytes are not an allowed format for the kind), or expired unfinished. Nothing of it is kept."},
	{Type: EventObjectDeleted, Payload: ObjectDeletedV1{},
		Description: "An object in the shared bucket is no longer referenced (its media item was deleted or got a newer file) and is deleted."},
}

// Consumes lists the events storage handles.
var Consumes = []events.Consumer{
	{Type: eventMediaProcessed, Effect: "Records the derivatives of the media item's current file, served at /v1/media/{id}/derivatives/{name}; derivatives of a file that is no longer current are deleted."},
	{Type: eventMediaDeleted, Effect: "Drops the item's uploads (in progress and completed) and derivatives; objects no other item references are deleted (storage.object.deleted); drops the cached download answers about the item."},
	{Type: eventMediaUpdated, Effect: "Drops the cached download answers about the item (storage.access_cache_ttl)."},
	{Type: eventMediaPublished, Effect: "Drops the cached download answers about the item."},
	{Type: eventMediaRemoved, Effect: "Drops the cached download answers about the item: downloads are refused from then on."},
	{Type: eventMediaRestored, Effect: "Drops the cached download answers about the item."},
	{Type: eventAuthorUpdated, Effect: "Drops every cached download answer (storage does not know which items credit the author)."},
	{Type: eventAuthorRemoved, Effect: "Drops every cached download answer."},
	{Type: eventAuthorRestored, Effect: "Drops every cached download answer."},
	{Type: eventAuthorDeleted, Effect: "Drops every cached download answer."},
	{Type: eventMemberAdded, Effect: "Drops every cached download answer (members may view drafts)."},
	{Type: eventMemberUpdated, Effect: "Drops every cached download answer."},
	{Type: eventMemberRemoved, Effect: "Drops every cached download answer: a former member's downloads of drafts are refused from then on."},
}
