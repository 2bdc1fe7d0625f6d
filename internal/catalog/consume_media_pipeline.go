package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// The processing saga's consumers, catalog's side: they decode the fields
// they read of storage's and processing's reports and call the app layer
// (app_media_pipeline.go) with the repository bound to the pipeline's
// transaction.

const (
	eventUploadCompleted  = "storage.upload.completed.v1"
	eventMediaProcessed   = "processing.media.processed.v1"
	eventProcessingFailed = "processing.media.failed.v1"
	eventMediaProgress    = "processing.media.progress.v1"
)

// uploadCompleted is the part of storage.upload.completed.v1 catalog reads.
type uploadCompleted struct {
	MediaID   string `json:"media_id"`
	ObjectKey string `json:"object_key"`
	// CompletedAt grows with every file storage records for the item: the
	// latest is the item's current file.
	CompletedAt time.Time `json:"completed_at"`
}

// mediaProcessed is the part of processing.media.processed.v1 catalog reads.
type mediaProcessed struct {
	MediaID     string           `json:"media_id"`
	ObjectKey   string           `json:"object_key"`
	Content     processedContent `json:"content"`
	Derivatives []struct {
		Kind        string `json:"kind"`
		ObjectKey   string `json:"object_key"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
	} `json:"derivatives"`
	Reason string `json:"reason"`
	// UploadedAt is the completed_at of the file's upload: the report may
	// arrive before storage's.
	UploadedAt time.Time `json:"uploaded_at"`
}

// processedContent is what processing found of the primary file.
type processedContent struct {
	Size            int64    `json:"size"`
	SHA256          string   `json:"sha256"`
	ContentType     string   `json:"content_type"`
	DurationSeconds *float64 `json:"duration_seconds"`
	Bitrate         *int64   `json:"bitrate"`
	Width           *int     `json:"width"`
	Height          *int     `json:"height"`
	Codecs          []string `json:"codecs"`
	Pages           *int     `json:"pages"`
	Chapters        []struct {
		Start float64 `json:"start"`
		End   float64 `json:"end"`
		Title string  `json:"title"`
		Href  string  `json:"href"`
		Page  int     `json:"page"`
	} `json:"chapters"`
	Renditions []struct {
		Name      string `json:"name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
		Bandwidth int    `json:"bandwidth"`
		Codecs    string `json:"codecs"`
	} `json:"renditions"`
}

// mediaProgress is the part of processing.media.progress.v1 catalog reads.
type mediaProgress struct {
	MediaID   string  `json:"media_id"`
	ObjectKey string  `json:"object_key"`
	Progress  float64 `json:"progress"`
}

func (s *Service) handleMediaPipeline(p *events.Pipeline) {
	p.Handle(bus.Topic("storage"), eventUploadCompleted, s.bind(s.onUploadCompleted))
	p.Handle(bus.Topic("processing"), eventMediaProcessed, s.bind(s.onMediaProcessed))
	p.Handle(bus.Topic("processing"), eventProcessingFailed, s.bind(s.onProcessingFailed))
	p.Handle(bus.Topic("processing"), eventMediaProgress, s.bind(s.onMediaProgress))
}

func decodeMediaEvent(e bus.Event, into any, mediaID, objectKey func() string) error {
	if err := json.Unmarshal(e.Data, into); err != nil {
		return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	if !domain.ValidID(mediaID()) || objectKey() == "" {
		return fmt.Errorf("%s %s: payload lacks media_id or object_key", e.Type, e.ID)
	}
	return nil
}

// onUploadCompleted points the item at its new original: processing.
func (s *Service) onUploadCompleted(ctx context.Context, st *Store, e bus.Event) error {
	var u uploadCompleted
	if err := decodeMediaEvent(e, &u, func() string { return u.MediaID }, func() string { return u.ObjectKey }); err != nil {
		return err
	}
	return s.startProcessing(ctx, st, u.MediaID, u.ObjectKey, u.CompletedAt)
}

// onMediaProcessed records what processing found.
func (s *Service) onMediaProcessed(ctx context.Context, st *Store, e bus.Event) error {
	var p mediaProcessed
	if err := decodeMediaEvent(e, &p, func() string { return p.MediaID }, func() string { return p.ObjectKey }); err != nil {
		return err
	}
	c := p.Content
	report := processingReport{MediaID: p.MediaID, ObjectKey: p.ObjectKey, UploadedAt: p.UploadedAt,
		Content: domain.MediaContent{Size: c.Size, SHA256: c.SHA256, ContentType: c.ContentType,
			DurationSeconds: c.DurationSeconds, Bitrate: c.Bitrate, Width: c.Width, Height: c.Height, Codecs: c.Codecs,
			Pages: c.Pages}}
	for _, ch := range c.Chapters {
		report.Content.Chapters = append(report.Content.Chapters, domain.Chapter{Start: ch.Start, End: ch.End,
			Title: ch.Title, Href: ch.Href, Page: ch.Page})
	}
	for _, r := range c.Renditions {
		report.Content.Renditions = append(report.Content.Renditions, domain.Rendition{Name: r.Name, Width: r.Width,
			Height: r.Height, Bandwidth: r.Bandwidth, Codecs: r.Codecs})
	}
	for _, d := range p.Derivatives {
		report.Derivatives = append(report.Derivatives, processedDerivative{Kind: d.Kind, ObjectKey: d.ObjectKey,
			ContentType: d.ContentType, Size: d.Size})
	}
	return s.finishProcessing(ctx, st, report)
}

// onProcessingFailed marks the item failed with processing's reason.
func (s *Service) onProcessingFailed(ctx context.Context, st *Store, e bus.Event) error {
	var p mediaProcessed
	if err := decodeMediaEvent(e, &p, func() string { return p.MediaID }, func() string { return p.ObjectKey }); err != nil {
		return err
	}
	return s.failProcessing(ctx, st, processingReport{MediaID: p.MediaID, ObjectKey: p.ObjectKey,
		UploadedAt: p.UploadedAt}, p.Reason)
}

// onMediaProgress records how far processing of the item's file is.
func (s *Service) onMediaProgress(ctx context.Context, st *Store, e bus.Event) error {
	var p mediaProgress
	if err := decodeMediaEvent(e, &p, func() string { return p.MediaID }, func() string { return p.ObjectKey }); err != nil {
		return err
	}
	return s.reportProgress(ctx, st, p.MediaID, p.ObjectKey, p.Progress)
}
