package processing

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// The orphan sweeper. A job stores its derivatives as it runs, under
// derivatives/<media_id>/<sha256>/, but only its processed event makes
// storage list them, and storage deletes only what such events reported.
// Objects of a job that never reported them would stay for ever:
//
//   - a transcode abandoned half-way (the job failed: a bad file, a
//     timeout, too many lost workers; or it was superseded while requeued);
//   - an item removed while its job ran (the job fails once the original is
//     gone; a job that completes reports, and storage deletes those);
//   - a new original replacing the old one: storage deletes what the old
//     file's processed event reported, the sweeper what it did not (the
//     renditions of an earlier attempt with another ladder, say).
//
// So, once per finished job (done, failed or superseded), a little after
// it finished, the sweeper lists the job's prefix and deletes every object
// that no done job of the same media and original reported. A prefix whose
// original has a queued or running job is left alone (that job is making
// those objects) and swept on a later pass. Deleting a key that is already
// gone is not an error, so a sweep cut short is simply run again.

// sweepBatch is how many finished jobs one pass sweeps at most.
const sweepBatch = 100

// startSweeper runs sweepOrphans every sweep_interval on the background
// group; 0 disables it.
func (s *Service) startSweeper() error {
	if s.cfg.SweepInterval <= 0 {
		return nil
	}
	return s.group.Go("orphan sweeper", func(ctx context.Context) error {
		t := time.NewTicker(s.cfg.SweepInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
			for {
				n, err := s.sweepOrphans(ctx)
				if err != nil && ctx.Err() == nil {
					s.log.WarnContext(ctx, "sweeping orphaned derivatives", slog.Any("error", err))
				}
				if err != nil || n < sweepBatch {
					break // a full batch swept: there may be more
				}
			}
		}
	})
}

// sweepOrphans sweeps the prefixes of up to sweepBatch finished jobs and
// returns how many it swept (those skipped because their original is
// being processed again stay for a later pass, and end the pass's loop).
// Jobs that finished less than a lease ago are left for the next pass, so
// a job of the same original claimed meanwhile is seen as running.
func (s *Service) sweepOrphans(ctx context.Context) (int, error) {
	jobs, err := s.jobs.unswept(ctx, s.now().Add(-s.cfg.Lease), sweepBatch)
	if err != nil {
		return 0, err
	}
	swept := 0
	for i := range jobs {
		j := &jobs[i]
		done, err := s.sweepJob(ctx, j)
		if err != nil {
			return swept, err
		}
		if !done {
			continue
		}
		if err := s.jobs.markSwept(ctx, j.ID, s.now()); err != nil {
			return swept, err
		}
		swept++
	}
	return swept, nil
}

// sweepJob deletes the unreported objects under j's prefix; done is false
// when a job of the same original is queued or running.
func (s *Service) sweepJob(ctx context.Context, j *job) (done bool, err error) {
	active, reported, err := s.jobs.original(ctx, j.MediaID, j.SHA256)
	if err != nil || active {
		return false, err
	}
	prefix := derivativePrefix(j.MediaID, j.SHA256)
	keys, err := s.objects.Keys(ctx, prefix)
	if err != nil {
		return false, err
	}
	var doomed []string
	for _, k := range keys {
		if !reported[k] && strings.HasPrefix(k, prefix) {
			doomed = append(doomed, k)
		}
	}
	if len(doomed) == 0 {
		return true, nil
	}
	// Look again just before deleting: a job of this original claimed
	// since is making these keys.
	if active, _, err = s.jobs.original(ctx, j.MediaID, j.SHA256); err != nil || active {
		return false, err
	}
	for _, k := range doomed {
		if err := s.objects.Remove(ctx, k); err != nil {
			return false, err
		}
	}
	s.m.swept.Add(float64(len(doomed)))
	s.log.InfoContext(ctx, "orphaned derivatives deleted", slog.String("media_id", j.MediaID),
		slog.String("job", j.ID), slog.String("state", j.State), slog.Int("objects", len(doomed)))
	return true, nil
}

// derivativePrefix is where the jobs of one original of one item store
// what they make.
func derivativePrefix(mediaID, sha string) string {
	return "derivatives/" + mediaID + "/" + sha + "/"
}
