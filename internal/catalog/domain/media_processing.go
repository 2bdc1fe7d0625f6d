package domain

import "time"

// MediaContent describes an item's primary file, as processing found it.
type MediaContent struct {
	Size            int64
	SHA256          string
	ContentType     string
	DurationSeconds *float64
	Bitrate         *int64
	Width           *int
	Height          *int
	Codecs          []string
	Pages           *int
	URL             string
	Chapters        []Chapter   // audio/video metadata, EPUB navigation, PDF outline
	Renditions      []Rendition // video: the HLS ladder
}

// Chapter is one chapter of the primary file.
type Chapter struct {
	Start, End float64 // seconds (audio, video)
	Title      string
	Href       string // EPUB
	Page       int    // PDF
}

// Rendition is one rendition of a video's HLS ladder.
type Rendition struct {
	Name          string // its media playlist, a derivative
	Width, Height int
	Bandwidth     int
	Codecs        string
}

// ReportProgress records how far processing of objectKey is (0 to 1)
// while the item waits for it; progress only grows, and a report about
// another file is stale. It reports whether the item changed.
func (m *Media) ReportProgress(objectKey string, progress float64, now time.Time) bool {
	if objectKey != m.ObjectKey || !m.awaitingProcessing() || progress < 0 || progress > 1 ||
		(m.ProcessingProgress != nil && progress <= *m.ProcessingProgress) {
		return false
	}
	m.ProcessingProgress = &progress
	m.touch(now)
	return true
}

// Derivative is a file processing made from the primary one.
type Derivative struct {
	Kind        string
	Name        string
	URL         string
	ContentType string
	Size        int64
}

// StartProcessing points the item at a newly uploaded original that storage
// recorded at uploadedAt: it goes to processing, and what was known of the
// previous file is dropped. Storage's reports may arrive in another order
// than it recorded the files (simultaneous uploads): a report of a file
// recorded before the current one is stale. A zero uploadedAt is taken as
// the latest. The item remembers the status it had (draft or published) to
// return to it when processing succeeds. A removed item keeps its status and
// comes back as processing when restored. It reports whether the item changed.
func (m *Media) StartProcessing(objectKey string, uploadedAt, now time.Time) bool {
	if !uploadedAt.IsZero() && m.UploadedAt != nil && !Stamp(uploadedAt).After(*m.UploadedAt) {
		return false
	}
	if m.ObjectKey == objectKey && m.Status == MediaProcessing {
		return false
	}
	m.ObjectKey, m.StatusReason, m.Content, m.Derivatives, m.ProcessingProgress = objectKey, "", nil, nil, nil
	if !uploadedAt.IsZero() {
		at := Stamp(uploadedAt)
		m.UploadedAt = &at
	}
	if m.Status == MediaRemoved {
		m.settleAt(m.PreviousStatus)
		m.PreviousStatus = MediaProcessing
	} else if Transition(m.Status, MediaProcessing, ByPipeline) == nil {
		m.settleAt(m.Status)
		m.Status = MediaProcessing
	}
	m.touch(now)
	return true
}

// CatchUp accounts for a processing report about the file storage recorded
// at uploadedAt before FinishProcessing or FailProcessing reads it. The
// report travels on processing's topic and may overtake storage's on the
// bus: a report about a file recorded after the current one is news of that
// upload too, so the item starts processing it as storage's report would
// have (which then arrives stale). A zero uploadedAt (a report that does not
// say) and an item whose current file has no upload time change nothing.
func (m *Media) CatchUp(objectKey string, uploadedAt, now time.Time) {
	if uploadedAt.IsZero() || (m.UploadedAt == nil && m.ObjectKey != "") {
		return
	}
	m.StartProcessing(objectKey, uploadedAt, now)
}

// settleAt records the status processing returns to, when status is one a
// member chose (a failed or processing item keeps the one it had).
func (m *Media) settleAt(status string) {
	if status == MediaDraft || status == MediaPublished {
		m.SettledStatus = status
	}
}

// settled is the status processing returns the item to.
func (m Media) settled() string {
	if m.SettledStatus == MediaPublished {
		return MediaPublished
	}
	return MediaDraft
}

// FinishProcessing records processing's findings for objectKey and returns
// the item to the status it had before the upload: processing never
// publishes a draft; its members do. Findings about another object than the
// current one are stale.
func (m *Media) FinishProcessing(objectKey string, content MediaContent, derivatives []Derivative, now time.Time) bool {
	if objectKey != m.ObjectKey || !m.awaitingProcessing() {
		return false
	}
	m.Content, m.Derivatives, m.StatusReason, m.ProcessingProgress = &content, derivatives, "", nil
	if m.Status == MediaRemoved {
		m.PreviousStatus = m.settled()
	} else {
		m.setStatus(m.settled(), now)
	}
	m.touch(now)
	return true
}

// FailProcessing marks the item failed with a reason its members can read.
func (m *Media) FailProcessing(objectKey, reason string, now time.Time) bool {
	if objectKey != m.ObjectKey || !m.awaitingProcessing() {
		return false
	}
	m.StatusReason, m.ProcessingProgress = reason, nil
	if m.Status == MediaRemoved {
		m.PreviousStatus = MediaFailed
	} else {
		m.Status = MediaFailed
	}
	m.touch(now)
	return true
}

// awaitingProcessing reports an item waiting for processing's report,
// possibly removed meanwhile (it then comes back with the result).
func (m Media) awaitingProcessing() bool {
	return m.Status == MediaProcessing || (m.Status == MediaRemoved && m.PreviousStatus == MediaProcessing)
}
