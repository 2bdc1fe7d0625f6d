package processing

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Event types processing publishes on its topic, alexandria_processing, and
// the one it consumes from storage's.
const (
	EventMediaProcessed         = "processing.media.processed.v1"
	EventMediaFailed            = "processing.media.failed.v1"
	EventMediaProgress          = "processing.media.progress.v1"
	eventStorageUploadCompleted = "storage.upload.completed.v1"
)

// UploadCompleted is the part of storage.upload.completed.v1 processing
// reads. Unknown fields are ignored; filename is never used as a path.
type UploadCompleted struct {
	UploadID    string    `json:"upload_id"`
	MediaID     string    `json:"media_id"`
	ObjectKey   string    `json:"object_key"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	Kind        string    `json:"kind"`
	CompletedAt time.Time `json:"completed_at"`
}

// The payloads processing publishes, built from the job and what it made
// (content, derivative); their JSON is the published contract
// (api/events/processing.*.json).

// contentV1 describes an original as probed.
type contentV1 struct {
	Size            int64         `json:"size" doc:"Bytes"`
	SHA256          string        `json:"sha256" doc:"Hex sha256 of the bytes"`
	ContentType     string        `json:"content_type" doc:"Media type sniffed by storage"`
	DurationSeconds float64       `json:"duration_seconds,omitempty" doc:"Audio and video: length in seconds"`
	Bitrate         int64         `json:"bitrate,omitempty" doc:"Audio and video: overall bits per second"`
	Width           int           `json:"width,omitempty" doc:"Video: frame width in pixels"`
	Height          int           `json:"height,omitempty" doc:"Video: frame height in pixels"`
	Codecs          []string      `json:"codecs,omitempty" doc:"Audio and video: codec of each stream (e.g. h264, aac)"`
	Pages           int           `json:"pages,omitempty" doc:"PDF: pages; EPUB: documents in the reading order (spine)"`
	Title           string        `json:"title,omitempty" doc:"Title from the file's metadata, when it has one"`
	Language        string        `json:"language,omitempty" doc:"EPUB: language (BCP 47) from the package document"`
	Creator         string        `json:"creator,omitempty" doc:"EPUB: first creator from the package document"`
	Chapters        []chapterV1   `json:"chapters,omitempty" doc:"Chapters: audio and video metadata (ID3 CHAP, MP4, Matroska), EPUB navigation, PDF outline"`
	Renditions      []renditionV1 `json:"renditions,omitempty" doc:"Video: the HLS renditions; the master playlist is the derivative hls.m3u8"`
}

// derivativeV1 is one object made from an original.
type derivativeV1 struct {
	Kind        string `json:"kind" enum:"cover,thumbnail,waveform,waveform_image,text,rendition,rendition_segment,storyboard,chapters,audio" doc:"What the object is"`
	ObjectKey   string `json:"object_key" doc:"Key in the shared object store: derivatives/<media_id>/<sha256>/<name>"`
	ContentType string `json:"content_type" doc:"Media type of the object"`
	Size        int64  `json:"size" doc:"Bytes"`
}

// processedV1 is the payload of processing.media.processed.v1.
type processedV1 struct {
	MediaID     string         `json:"media_id" doc:"The media item"`
	ObjectKey   string         `json:"object_key" doc:"Key of the original the derivatives come from"`
	SHA256      string         `json:"sha256" doc:"Hex sha256 of the original"`
	Content     contentV1      `json:"content" doc:"The original as probed"`
	Derivatives []derivativeV1 `json:"derivatives" doc:"Objects made from the original, the required ones included"`
	UploadedAt  time.Time      `json:"uploaded_at" doc:"The completed_at of the original's storage.upload.completed: the media's current original is the one uploaded last. This report may arrive before that event"`
	ProcessedAt time.Time      `json:"processed_at" doc:"When processing finished"`
}

// progressV1 is the payload of processing.media.progress.v1.
type progressV1 struct {
	MediaID   string    `json:"media_id" doc:"The media item"`
	ObjectKey string    `json:"object_key" doc:"Key of the original being processed"`
	SHA256    string    `json:"sha256" doc:"Hex sha256 of the original"`
	Progress  float64   `json:"progress" minimum:"0" maximum:"1" doc:"Share of the long work (transcoding the current rendition) done, in steps of 0.1"`
	At        time.Time `json:"at" doc:"When it was measured"`
}

// chapterV1 is one chapter of an original.
type chapterV1 struct {
	Start float64 `json:"start,omitempty" doc:"Audio and video: start in seconds"`
	End   float64 `json:"end,omitempty" doc:"Audio and video: end in seconds, when known"`
	Title string  `json:"title" doc:"Title (may be empty)"`
	Href  string  `json:"href,omitempty" doc:"EPUB: the document (and fragment) the chapter starts at"`
	Page  int     `json:"page,omitempty" doc:"PDF: the page the outline entry points at, from 1"`
	// Section ties an EPUB chapter to its extracted text.
	Section int `json:"section,omitempty" doc:"EPUB: the part of the text derivative (form-feed separated, one per reading-order document, from 1) the chapter starts in"`
}

// renditionV1 is one rendition of a video's HLS ladder.
type renditionV1 struct {
	Name      string `json:"name" doc:"The rendition's media playlist (a derivative of kind rendition)"`
	Width     int    `json:"width" doc:"Frame width in pixels"`
	Height    int    `json:"height" doc:"Frame height in pixels"`
	Bandwidth int    `json:"bandwidth" doc:"Peak bits per second of its segments (the master playlist's BANDWIDTH)"`
	Codecs    string `json:"codecs" doc:"RFC 6381 codecs, e.g. avc1.4d401e,mp4a.40.2"`
}

// failedV1 is the payload of processing.media.failed.v1.
type failedV1 struct {
	MediaID    string    `json:"media_id" doc:"The media item"`
	ObjectKey  string    `json:"object_key" doc:"Key of the original that could not be processed"`
	SHA256     string    `json:"sha256" doc:"Hex sha256 of the original"`
	Reason     string    `json:"reason" doc:"Why, in words the media's members can act on: one fixed sentence per kind of failure (e.g. the file could not be read as a PDF, processing timed out), never a tool's output"`
	UploadedAt time.Time `json:"uploaded_at" doc:"The completed_at of the original's storage.upload.completed: the media's current original is the one uploaded last. This report may arrive before that event"`
	FailedAt   time.Time `json:"failed_at" doc:"When processing gave up"`
}

// newProcessedV1 is the processed event of job j, which made r, at at.
func newProcessedV1(j *job, r *jobResult, at time.Time) processedV1 {
	c := r.Content
	p := processedV1{MediaID: j.MediaID, ObjectKey: j.ObjectKey, SHA256: j.SHA256, UploadedAt: stamp(j.CompletedAt), ProcessedAt: at,
		Content: contentV1{Size: c.Size, //nolint:staticcheck // field by field: the payload must not follow the internal type
			SHA256: c.SHA256, ContentType: c.ContentType, DurationSeconds: c.DurationSeconds,
			Bitrate: c.Bitrate, Width: c.Width, Height: c.Height, Codecs: c.Codecs, Pages: c.Pages, Title: c.Title,
			Language: c.Language, Creator: c.Creator}}
	for _, ch := range c.Chapters {
		p.Content.Chapters = append(p.Content.Chapters, chapterV1{Start: ch.Start, End: ch.End, Title: ch.Title, Href: ch.Href, Page: ch.Page, Section: ch.Section}) //nolint:staticcheck // field by field
	}
	for _, rd := range r.Renditions {
		p.Content.Renditions = append(p.Content.Renditions, renditionV1{Name: rd.Name, Width: rd.Width, Height: rd.Height, Bandwidth: rd.Bandwidth, Codecs: rd.Codecs}) //nolint:staticcheck // field by field
	}
	if r.Derivatives != nil {
		p.Derivatives = make([]derivativeV1, len(r.Derivatives))
	}
	for i, d := range r.Derivatives {
		p.Derivatives[i] = derivativeV1{Kind: d.Kind, //nolint:staticcheck // field by field, as above
			ObjectKey: d.ObjectKey, ContentType: d.ContentType, Size: d.Size}
	}
	return p
}

// newFailedV1 is the failed event of job j, for reason, at at.
func newFailedV1(j *job, reason string, at time.Time) failedV1 {
	return failedV1{MediaID: j.MediaID, ObjectKey: j.ObjectKey, SHA256: j.SHA256, Reason: reason,
		UploadedAt: stamp(j.CompletedAt), FailedAt: at}
}

// Events lists every event type processing publishes, for the catalogue.
var Events = []events.Spec{
	{Type: EventMediaProcessed, Payload: processedV1{},
		Description: "An uploaded original was probed and its required derivatives are stored (video: thumbnail, HLS renditions (master hls.m3u8, media playlists, init and media segments), storyboard; audio: waveform, and an AAC rendition of sources browsers do not all play; chapters.json when the file has chapters; PDF and EPUB: cover and text; plain text: text). Events for an object that is no longer the media's current one should be ignored."},
	{Type: EventMediaProgress, Payload: progressV1{},
		Description: "A long job (a video's transcoding) advanced by another tenth. Reports may be lost or repeated; a later processed or failed event ends them. Events for an object that is no longer the media's current one should be ignored."},
	{Type: EventMediaFailed, Payload: failedV1{},
		Description: "An uploaded original could not be processed: unreadable or hostile file, limits exceeded (pages, duration, size), or the store stayed unavailable through every attempt. The reason is meant for the media's members."},
}

// Consumes lists the events processing handles, for the catalogue.
var Consumes = []events.Consumer{
	{Type: eventStorageUploadCompleted, Effect: "Queues a processing job for the uploaded object (once per upload); queued jobs of older uploads of the same media are superseded. A worker runs the job outside the consumer's transaction and publishes media.processed or media.failed."},
}

// Sagas documents processing's part of the upload saga.
var Sagas = []events.Saga{
	{Name: "media processing (storage → processing → catalog)", Description: `
1. storage stores an original and records ` + "`storage.upload.completed.v1`" + `; catalog marks the media ` + "`processing`" + `.
2. processing records a job in the consumer's transaction and returns at once; a worker claims the job (a lease
   renewed while it runs), fetches the original, probes it and stores its derivatives under
   ` + "`derivatives/<media_id>/<sha256>/`" + `, then marks the job done and records ` + "`processing.media.processed.v1`" + `
   in one transaction. A file that cannot be processed records ` + "`processing.media.failed.v1`" + ` with a reason instead.
3. catalog returns the media to the status it had before the upload (` + "`draft`" + ` or ` + "`published`" + `; processing never
   publishes a draft) or marks it ` + "`failed`" + ` with the reason, if the event is about the media's current object;
   storage lists the derivatives for download.

Transient errors (object store unavailable) retry the job with backoff up to ` + "`processing.max_attempts`" + `; a job whose
worker died is taken again once its lease expires. A newer upload (by storage's ` + "`completed_at`" + `, which follows the
order storage records an item's files in) supersedes the media's queued jobs. Derivative keys
are deterministic, so a repeated job overwrites rather than duplicates.`},
}
