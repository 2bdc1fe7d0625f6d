package processing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// The application layer of jobs: the command that queues a job for an
// upload (called by the consumer, consume_upload.go, with the repository
// bound to its transaction) and the ones that settle an attempt the worker
// pool ran (worker.go). Each outcome goes through the repository, which
// finishes the job and records its event in one transaction.

// queueJob records a job for an upload in jobs' transaction and wakes a
// worker. It does no tool work: that may take minutes, and the job row
// commits with the event's inbox entry (a redelivered event finds the job
// already recorded).
func (s *Service) queueJob(ctx context.Context, jobs *jobStore, u UploadCompleted) error {
	created, err := jobs.enqueue(ctx, u, s.now())
	if err != nil {
		return err
	}
	if created {
		s.notify()
	}
	return nil
}

// settle records the outcome of an attempt: processed, failed, or back in
// the queue after a transient error.
func (s *Service) settle(ctx context.Context, log *slog.Logger, j *job, start time.Time, r *jobResult, err error) {
	s.m.duration.WithLabelValues(j.Kind).Observe(time.Since(start).Seconds())
	if err != nil {
		reason, final := permanent(err, family(j.ContentType))
		if !final && j.Attempts < s.cfg.MaxAttempts {
			delay := backoff(s.cfg.RetryInitial, s.cfg.RetryMax, j.Attempts)
			log.WarnContext(ctx, "processing failed, will retry", slog.Any("error", err), slog.Duration("in", delay))
			if rerr := s.jobs.requeue(ctx, j.ID, j.LeaseToken, err.Error(), s.now().Add(delay), false); rerr != nil {
				log.WarnContext(ctx, "requeue", slog.Any("error", rerr))
			}
			s.m.jobs.WithLabelValues(j.Kind, resultRetried).Inc()
			return
		}
		if !final {
			reason = "the file could not be processed: the service stayed unavailable through " +
				fmt.Sprint(j.Attempts) + " attempts; upload it again later"
		}
		attrs := []any{slog.String("reason", reason), slog.Any("error", err)}
		var tool *toolError
		if errors.As(err, &tool) && tool.Stderr != "" {
			attrs = append(attrs, slog.String("tool", tool.Tool), slog.String("stderr", tool.Stderr))
		}
		log.InfoContext(ctx, "processing failed", attrs...)
		s.record(ctx, log, j, stateFailed, "", err.Error(), EventMediaFailed, newFailedV1(j, reason, stamp(s.now())), resultFailed)
		return
	}
	payload := newProcessedV1(j, r, stamp(s.now()))
	b, _ := json.Marshal(payload)
	s.record(ctx, log, j, stateDone, string(b), "", EventMediaProcessed, payload, resultProcessed)
	log.InfoContext(ctx, "processed", slog.Int("derivatives", len(r.Derivatives)), slog.Duration("took", time.Since(start)))
}

// record finishes the job and records its event in one transaction.
func (s *Service) record(ctx context.Context, log *slog.Logger, j *job, state, result, lastError, typ string, payload any, metric string) {
	err := s.jobs.finishRecording(ctx, j, state, result, lastError, s.now(), typ, payload)
	switch {
	case errors.Is(err, errLeaseLost):
		s.m.jobs.WithLabelValues(j.Kind, resultLost).Inc()
		log.WarnContext(ctx, "job lease lost before it finished; its result is dropped")
	case err != nil:
		// The lease expires and another worker runs the job again.
		log.ErrorContext(ctx, "recording the job's outcome", slog.Any("error", err))
	default:
		s.m.jobs.WithLabelValues(j.Kind, metric).Inc()
	}
}

// backoff is the wait before attempt n+1: initial doubling per attempt,
// at most ceiling.
func backoff(initial, ceiling time.Duration, attempt int) time.Duration {
	d := initial
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}
