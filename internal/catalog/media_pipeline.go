package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// The processing saga, catalog's side: storage reports an upload, processing
// reports the result; the item goes processing → back to the status it had
// (draft or published), or failed. Only reports about the item's current
// object count: a newer upload (in storage's order) supersedes an older one
// still being processed. The two reports come on different topics, so
// processing's may arrive first; it names the upload's time, and counts as
// storage's report too.

const (
	eventUploadCompleted  = "storage.upload.completed.v1"
	eventMediaProcessed   = "processing.media.processed.v1"
	eventProcessingFailed = "processing.media.failed.v1"
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
}

func (s *Service) handleMediaPipeline(p *events.Pipeline) {
	p.Handle(bus.Topic("storage"), eventUploadCompleted, s.onUploadCompleted)
	p.Handle(bus.Topic("processing"), eventMediaProcessed, s.onMediaProcessed)
	p.Handle(bus.Topic("processing"), eventProcessingFailed, s.onProcessingFailed)
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
func (s *Service) onUploadCompleted(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var u uploadCompleted
	if err := decodeMediaEvent(e, &u, func() string { return u.MediaID }, func() string { return u.ObjectKey }); err != nil {
		return err
	}
	return s.updatePipelined(ctx, tx, u.MediaID, func(m *domain.Media) {
		m.StartProcessing(u.ObjectKey, u.CompletedAt, s.now())
	})
}

// onMediaProcessed records what processing found; the item returns to its
// status before the upload.
func (s *Service) onMediaProcessed(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var p mediaProcessed
	if err := decodeMediaEvent(e, &p, func() string { return p.MediaID }, func() string { return p.ObjectKey }); err != nil {
		return err
	}
	c := p.Content
	content := domain.MediaContent{Size: c.Size, SHA256: c.SHA256, ContentType: c.ContentType,
		DurationSeconds: c.DurationSeconds, Bitrate: c.Bitrate, Width: c.Width, Height: c.Height, Codecs: c.Codecs,
		Pages: c.Pages}
	content.URL = "/v1/media/" + p.MediaID + "/content"
	derivatives := make([]domain.Derivative, 0, len(p.Derivatives))
	for _, d := range p.Derivatives {
		name := path.Base(d.ObjectKey)
		derivatives = append(derivatives, domain.Derivative{Kind: d.Kind, Name: name, ContentType: d.ContentType, Size: d.Size,
			URL: "/v1/media/" + p.MediaID + "/derivatives/" + name})
	}
	return s.updatePipelined(ctx, tx, p.MediaID, func(m *domain.Media) {
		m.CatchUp(p.ObjectKey, p.UploadedAt, s.now())
		m.FinishProcessing(p.ObjectKey, content, derivatives, s.now())
	})
}

// onProcessingFailed marks the item failed with processing's reason.
func (s *Service) onProcessingFailed(ctx context.Context, tx bun.Tx, e bus.Event) error {
	var p mediaProcessed
	if err := decodeMediaEvent(e, &p, func() string { return p.MediaID }, func() string { return p.ObjectKey }); err != nil {
		return err
	}
	return s.updatePipelined(ctx, tx, p.MediaID, func(m *domain.Media) {
		m.CatchUp(p.ObjectKey, p.UploadedAt, s.now())
		m.FailProcessing(p.ObjectKey, p.Reason, s.now())
	})
}

// updatePipelined applies a pipeline step to an item that still exists; a
// purged item has nothing left to update.
func (s *Service) updatePipelined(ctx context.Context, tx bun.Tx, mediaID string, step func(m *domain.Media)) error {
	_, err := s.store.InTx(tx).UpdateMedia(ctx, mediaID, nil, nil, func(m *domain.Media, _ domain.References) error {
		step(m)
		return nil
	})
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	return err
}
