package catalog

import (
	"context"
	"errors"
	"path"
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// The processing saga's commands, catalog's side: storage reports an
// upload, processing reports the result; the item goes processing → back
// to the status it had (draft or published), or failed. Only reports about
// the item's current object count: a newer upload (in storage's order)
// supersedes an older one still being processed. The two reports come on
// different topics, so processing's may arrive first; it names the
// upload's time, and counts as storage's report too. The consumers
// (consume_media_pipeline.go) call these with the repository bound to
// their transaction.

// processingReport is what processing reported about one of an item's
// files.
type processingReport struct {
	MediaID, ObjectKey string
	// UploadedAt is the completed_at of the file's upload.
	UploadedAt  time.Time
	Content     domain.MediaContent
	Derivatives []processedDerivative
}

// processedDerivative is an object processing made from the file.
type processedDerivative struct {
	Kind, ObjectKey, ContentType string
	Size                         int64
}

// startProcessing points the item at its new original, recorded by
// storage at completedAt: the item is processing.
func (s *Service) startProcessing(ctx context.Context, st *Store, mediaID, objectKey string, completedAt time.Time) error {
	return s.updatePipelined(ctx, st, mediaID, func(m *domain.Media) {
		m.StartProcessing(objectKey, completedAt, s.now())
	})
}

// finishProcessing records what processing found; the item returns to
// its status before the upload. Its content and derivatives are served
// through catalog's own URLs.
func (s *Service) finishProcessing(ctx context.Context, st *Store, r processingReport) error {
	content := r.Content
	content.URL = "/v1/media/" + r.MediaID + "/content"
	derivatives := make([]domain.Derivative, 0, len(r.Derivatives))
	for _, d := range r.Derivatives {
		if d.Kind == "rendition_segment" {
			continue // storage serves them; the playlists name them
		}
		name := path.Base(d.ObjectKey)
		derivatives = append(derivatives, domain.Derivative{Kind: d.Kind, Name: name, ContentType: d.ContentType, Size: d.Size,
			URL: "/v1/media/" + r.MediaID + "/derivatives/" + name})
	}
	return s.updatePipelined(ctx, st, r.MediaID, func(m *domain.Media) {
		m.CatchUp(r.ObjectKey, r.UploadedAt, s.now())
		m.FinishProcessing(r.ObjectKey, content, derivatives, s.now())
	})
}

// reportProgress records processing's progress on the item's current
// file.
func (s *Service) reportProgress(ctx context.Context, st *Store, mediaID, objectKey string, progress float64) error {
	return s.updatePipelined(ctx, st, mediaID, func(m *domain.Media) {
		m.ReportProgress(objectKey, progress, s.now())
	})
}

// failProcessing marks the item failed with processing's reason.
func (s *Service) failProcessing(ctx context.Context, st *Store, r processingReport, reason string) error {
	return s.updatePipelined(ctx, st, r.MediaID, func(m *domain.Media) {
		m.CatchUp(r.ObjectKey, r.UploadedAt, s.now())
		m.FailProcessing(r.ObjectKey, reason, s.now())
	})
}

// updatePipelined applies a pipeline step to an item that still exists; a
// purged item has nothing left to update.
func (s *Service) updatePipelined(ctx context.Context, st *Store, mediaID string, step func(m *domain.Media)) error {
	_, err := st.UpdateMedia(ctx, mediaID, nil, nil, func(m *domain.Media, _ domain.References) error {
		step(m)
		return nil
	})
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	return err
}
