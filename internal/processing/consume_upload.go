package processing

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// consume registers processing's one consumer: its repository is bound to
// the pipeline's transaction.
func (s *Service) consume(p *events.Pipeline) {
	p.Handle(bus.Topic("storage"), eventStorageUploadCompleted, events.Bind(s.jobs.bound, s.onUploadCompleted))
}

// onUploadCompleted decodes storage's report of an upload and queues its
// job (queueJob) in the consumer's transaction.
func (s *Service) onUploadCompleted(ctx context.Context, jobs *jobStore, e bus.Event) error {
	var u UploadCompleted
	if err := json.Unmarshal(e.Data, &u); err != nil {
		return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	if err := checkUpload(u); err != nil {
		return fmt.Errorf("%s %s: %w", e.Type, e.ID, err)
	}
	if u.CompletedAt.IsZero() {
		u.CompletedAt = e.Time
	}
	return s.queueJob(ctx, jobs, u)
}

// checkUpload refuses payloads that do not name an original the way
// storage stores them; such an event is retried and then dead-lettered.
func checkUpload(u UploadCompleted) error {
	if _, err := uuid.Parse(u.MediaID); err != nil {
		return fmt.Errorf("media_id %q is not a UUID", u.MediaID)
	}
	if u.UploadID == "" || len(u.UploadID) > 200 {
		return fmt.Errorf("upload_id is missing or too long")
	}
	sum, err := hex.DecodeString(u.SHA256)
	if err != nil || len(sum) != 32 || strings.ToLower(u.SHA256) != u.SHA256 {
		return fmt.Errorf("sha256 %q is not 64 lowercase hex digits", u.SHA256)
	}
	if !strings.HasPrefix(u.ObjectKey, "content/") || !safeName(u.ObjectKey) || len(u.ObjectKey) > 1024 {
		return fmt.Errorf("object_key %q is not a content key", u.ObjectKey)
	}
	if u.Size < 0 || u.ContentType == "" {
		return fmt.Errorf("size or content_type missing")
	}
	return nil
}
