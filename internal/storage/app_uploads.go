package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// The application layer of uploads: the commands and queries that the tus
// hooks (tus.go), the one-request upload (content_put.go) and the sweeper
// call. finish (app_finish.go) turns received bytes into the item's file;
// the repository (store.go) does the SQL and records the events.

// reserve authorises an upload of size bytes to a media item for the
// caller and records it against the caller's quota.
func (s *Service) reserve(ctx context.Context, mediaID, authorization, filename string, size int64, source string,
	ttl time.Duration) (pendingUpload, error) {
	principal, ok := auth.FromContext(ctx)
	if !ok {
		return pendingUpload{}, errs.Unauthenticatedf("sign in to upload")
	}
	if _, err := uuid.Parse(mediaID); err != nil {
		return pendingUpload{}, errs.InvalidField("media_id", "Upload-Metadata must carry media_id, the ID of the media item (got %q)", mediaID)
	}
	if size <= 0 {
		return pendingUpload{}, errs.New(errs.Invalid, "the file is empty")
	}
	a, err := s.access.Access(ctx, mediaID, authorization)
	if err != nil {
		return pendingUpload{}, err
	}
	if !a.CanEdit {
		return pendingUpload{}, errs.Forbiddenf("only members of the media item's author may upload its file")
	}
	limit := s.cfg.maxBytes(a.Kind)
	if limit == 0 {
		return pendingUpload{}, errs.New(errs.Invalid, "media item %s has kind %q, which takes no file", mediaID, a.Kind)
	}
	if size > limit {
		return pendingUpload{}, &quotaError{msg: fmt.Sprintf("a %s file may be at most %s; this one is %s", a.Kind, humanBytes(limit), humanBytes(size))}
	}
	now := stamp(s.now())
	p := pendingUpload{
		ID: uuid.Must(uuid.NewV7()).String(), MediaID: mediaID, UserID: principal.UserID, Kind: a.Kind,
		Filename: SanitizeFilename(filename), Size: size, Source: source, CreatedAt: now, ExpiresAt: now.Add(ttl),
	}
	quota := int64(s.cfg.UserQuotaBytes)
	fits := func(used int64) error {
		if used+p.Size > quota {
			return &quotaError{msg: fmt.Sprintf("this upload of %s would exceed your storage quota: %s of %s used (including uploads in progress)",
				humanBytes(p.Size), humanBytes(used), humanBytes(quota))}
		}
		return nil
	}
	if err := s.store.Reserve(ctx, p, fits); err != nil {
		return pendingUpload{}, err
	}
	return p, nil
}

// uploadInProgress returns the upload in progress id.
func (s *Service) uploadInProgress(ctx context.Context, id string) (pendingUpload, error) {
	return s.store.Pending(ctx, id)
}

// tusUploadOf returns the tus upload id in progress when userID made it:
// anyone else is told there is no such upload.
func (s *Service) tusUploadOf(ctx context.Context, id, userID string) (pendingUpload, error) {
	up, err := s.store.Pending(ctx, id)
	if err == nil && (up.Source != sourceTus || up.UserID != userID) {
		err = errs.NotFoundf("no upload %s in progress", id)
	}
	return up, err
}

// recordedUpload returns the completed upload id.
func (s *Service) recordedUpload(ctx context.Context, id string) (upload, error) {
	return s.store.Upload(ctx, id)
}

// abandonUpload drops the reservation of an upload in progress without an
// event (its owner terminated it, or its body never arrived).
func (s *Service) abandonUpload(ctx context.Context, id string) error {
	return s.store.DropPending(ctx, id)
}

// quotaError is an upload that does not fit: a kind's size limit or the
// uploader's quota (HTTP 413).
type quotaError struct{ msg string }

func (e *quotaError) Error() string { return e.msg }

// humanBytes formats a size for messages.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
