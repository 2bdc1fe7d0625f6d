package storage

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
)

// The sweeper makes uploads durable across crashes and cleans up after
// them. It runs once at start and then every storage.sweep_interval:
//   - a tus upload whose bytes all arrived but which was never recorded
//     (the process died between tusd's last write and the transaction, or
//     the object store was down) is finished now;
//   - an unfinished upload past its expiry is dropped with its bytes
//     (storage.upload.failed);
//   - objects scheduled for deletion are deleted;
//   - upload bytes nothing refers to any more are removed.

// settle is how long an upload's bytes must be untouched before the
// sweeper finishes it itself (a request may be finishing it right now).
const settle = 30 * time.Second

// runSweeper is a runner of the target's background group: it sweeps until
// the group stops it.
func (s *Service) runSweeper(ctx context.Context) error {
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	for {
		s.sweep(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// sweep does one round; errors are logged and retried next round.
func (s *Service) sweep(ctx context.Context) {
	if err := s.sweepPending(ctx); err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "sweeping uploads", slog.Any("error", err))
	}
	if keys, err := s.store.Deletions(ctx); err == nil {
		s.deleteObjects(ctx, keys)
	} else if ctx.Err() == nil {
		s.log.WarnContext(ctx, "sweeping deletions", slog.Any("error", err))
	}
	s.sweepFiles(ctx)
	if err := s.store.DropExpiredLinks(ctx, s.now()); err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "sweeping download links", slog.Any("error", err))
	}
}

func (s *Service) sweepPending(ctx context.Context) error {
	pending, err := s.store.AllPending(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	for _, p := range pending {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if _, busy := s.finishing.Load(p.ID); busy {
			continue
		}
		if p.Source == sourceTus && s.tus.complete(ctx, p.ID) && s.untouchedSince(ctx, p.ID, now.Add(-settle)) {
			_, err := s.finishTus(ctx, p)
			var refusal *Refusal
			if err == nil || errors.As(err, &refusal) {
				s.tus.drop(ctx, p.ID)
			}
			continue
		}
		if now.Before(p.ExpiresAt) {
			continue
		}
		reason := "the upload expired unfinished"
		if p.Source == sourcePut {
			reason = "the upload was interrupted"
		}
		if _, err := s.store.Fail(ctx, p, reason, stamp(now)); err != nil {
			return err
		}
		s.tus.drop(ctx, p.ID)
	}
	return nil
}

// untouchedSince reports whether an upload's bytes were last written
// before t.
func (s *Service) untouchedSince(ctx context.Context, id string, t time.Time) bool {
	last, err := s.tus.store.lastTouched(ctx, id)
	return err == nil && last.Before(t)
}

// sweepFiles removes upload bytes no reservation refers to (finished,
// failed, terminated or deleted uploads whose objects outlived a crash) and
// stale temporary files, once they are an hour old.
func (s *Service) sweepFiles(ctx context.Context) {
	cutoff := s.now().Add(-time.Hour)
	if ids, err := s.tus.store.ids(ctx); err == nil {
		for id, touched := range ids {
			if _, err := uuid.Parse(id); err != nil || touched.After(cutoff) {
				continue
			}
			if _, err := s.store.Pending(ctx, id); err == nil {
				continue
			}
			if err := (&blobUpload{store: s.tus.store, id: id}).Terminate(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "sweeping tus upload objects", slog.String("upload_id", id), slog.Any("error", err))
			}
		}
	} else if ctx.Err() == nil {
		s.log.WarnContext(ctx, "sweeping tus upload objects", slog.Any("error", err))
	}
	if entries, err := os.ReadDir(s.tmpDir); err == nil {
		for _, e := range entries {
			if info, err := e.Info(); err == nil && !e.IsDir() && info.ModTime().Before(cutoff) {
				_ = os.Remove(filepath.Join(s.tmpDir, e.Name()))
			}
		}
	}
}
