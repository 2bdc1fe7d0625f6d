package storage

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// errBusy is an upload another request (or the sweeper) is finishing.
var errBusy = errs.Conflictf("this upload is being finished by another request; check again shortly")

// finish turns the received bytes of p (a local file at path) into its
// media item's current file: the bytes are sniffed against the kind's
// allowed formats, hashed, stored once under their sha256, and recorded
// with storage.upload.completed in one transaction. A file that does not
// match is refused (storage.upload.failed) and the caller deletes its
// bytes; on any other error the bytes and the reservation are kept for the
// sweeper to retry. sum is the sha256 when the caller hashed while
// receiving, or nil.
func (s *Service) finish(ctx context.Context, p pendingUpload, path string, sum []byte) (upload, error) {
	if _, loaded := s.finishing.LoadOrStore(p.ID, true); loaded {
		return upload{}, errBusy
	}
	defer s.finishing.Delete(p.ID)
	start := time.Now()
	u, err := s.finishLocked(ctx, p, path, sum)
	result := "completed"
	var refusal *Refusal
	switch {
	case errors.As(err, &refusal):
		result = "refused"
	case err != nil:
		result = "error"
	}
	s.metrics.uploads.WithLabelValues(p.Kind, result).Inc()
	if err == nil {
		s.metrics.uploadBytes.WithLabelValues(p.Kind, result).Add(float64(u.Size))
	}
	s.log.InfoContext(ctx, "upload finished", slog.String("upload_id", p.ID), slog.String("media_id", p.MediaID),
		slog.String("result", result), slog.Duration("duration", time.Since(start)), slog.Any("error", err))
	return u, err
}

func (s *Service) finishLocked(ctx context.Context, p pendingUpload, path string, sum []byte) (upload, error) {
	f, err := os.Open(path) //nolint:gosec // path is built from storage's own upload ID, never from a client name
	if err != nil {
		return upload{}, fmt.Errorf("open received file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return upload{}, err
	}
	contentType, err := Sniff(p.Kind, f, st.Size())
	var refusal *Refusal
	if errors.As(err, &refusal) {
		if _, ferr := s.store.Fail(ctx, p, refusal.Reason, stamp(s.now())); ferr != nil {
			return upload{}, ferr
		}
		return upload{}, refusal
	}
	if err != nil {
		return upload{}, fmt.Errorf("sniff: %w", err)
	}
	if sum == nil {
		if sum, _, err = blob.HashFile(path); err != nil {
			return upload{}, fmt.Errorf("hash: %w", err)
		}
	}
	key := blob.ContentKey(sum)
	wrote, err := s.put(ctx, key, path, contentType)
	if err != nil {
		return upload{}, err
	}
	// The display name keeps the uploader's base name with the extension
	// of what the bytes are.
	filename := p.Filename
	if filename != "" {
		filename = withExtension(filename, contentType)
	}
	u := upload{
		ID: p.ID, MediaID: p.MediaID, UserID: p.UserID, Kind: p.Kind, ObjectKey: key, SHA256: hex.EncodeToString(sum),
		Size: st.Size(), ContentType: contentType, Filename: filename, CompletedAt: stamp(s.now()),
	}
	doomed, err := s.store.Complete(ctx, p, u)
	if err != nil {
		return upload{}, err
	}
	if !wrote {
		// Deduplicated against an object that a concurrent deletion of its
		// last reference may have removed meanwhile: make sure it is there.
		if _, err := s.put(ctx, key, path, contentType); err != nil {
			return upload{}, err
		}
	}
	s.deleteObjects(ctx, doomed)
	return u, nil
}

// put stores the file under key unless an object is already there (the
// same bytes: keys are content addresses). It reports whether it wrote.
func (s *Service) put(ctx context.Context, key, path, contentType string) (bool, error) {
	exists, err := s.bucket.Exists(ctx, key)
	if err != nil {
		return false, errs.Wrap(errs.Unavailable, err, "the object store cannot be reached; the upload is kept and retried")
	}
	if exists {
		return false, nil
	}
	if err := s.bucket.PutFile(ctx, key, path, contentType); err != nil {
		if storageFull(err) {
			return false, fmt.Errorf("store %s: %w", key, err)
		}
		return false, errs.Wrap(errs.Unavailable, err, "the object store cannot be reached; the upload is kept and retried")
	}
	return true, nil
}

// deleteObjects deletes objects scheduled for deletion, each only when no
// row references it again. A failure leaves the row for the sweeper.
func (s *Service) deleteObjects(ctx context.Context, keys []string) {
	for _, key := range keys {
		_, err := s.store.DeleteUnreferenced(ctx, key, func(ctx context.Context) error {
			if err := s.bucket.Delete(ctx, key); err != nil && !blob.IsNotFound(err) {
				return err
			}
			return nil
		})
		if err != nil {
			// The schedule row stays: the sweeper retries.
			s.log.WarnContext(ctx, "object deletion", slog.String("key", key), slog.Any("error", err))
		}
	}
}
