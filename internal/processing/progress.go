package processing

import (
	"context"
	"log/slog"
	"math"
)

// reportProgress publishes how far the job's long work (transcoding) is,
// in steps of progressStep, so catalog can show it in the media item's
// processing state. A report that cannot be recorded is only logged: the
// job goes on.
func (s *Service) reportProgress(ctx context.Context, j *job, done float64) {
	step := math.Floor(done/progressStep) * progressStep
	s.progressMu.Lock()
	last, seen := s.progress[j.ID]
	if seen && step <= last {
		s.progressMu.Unlock()
		return
	}
	s.progress[j.ID] = step
	s.progressMu.Unlock()
	payload := progressV1{MediaID: j.MediaID, ObjectKey: j.ObjectKey, SHA256: j.SHA256, Progress: step, At: stamp(s.now())}
	if err := s.jobs.recordProgress(ctx, j, s.now(), EventMediaProgress, payload); err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "recording progress", slog.String("job", j.ID), slog.Any("error", err))
	}
}

// forgetProgress drops what reportProgress kept of a finished attempt.
func (s *Service) forgetProgress(j *job) {
	s.progressMu.Lock()
	delete(s.progress, j.ID)
	s.progressMu.Unlock()
}

// progressStep is the granularity of progress reports.
const progressStep = 0.1
