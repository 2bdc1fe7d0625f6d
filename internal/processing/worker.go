package processing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/google/uuid"
)

// The worker pool. Each worker claims one job at a time (a lease renewed by
// a heartbeat while the job runs), runs it outside any transaction, and
// finishes it — state and event — in one transaction. A transient failure
// requeues the job with backoff; a bad file fails it for good; a panic is
// a failure of that job only. A worker that dies leaves a lease that
// expires, and another worker takes the job again (counting an attempt).

// startWorkers runs cfg.Workers workers, each a runner of the service's
// background group, until the group stops. A worker whose loop ends before
// that is failed, which readiness reports.
func (s *Service) startWorkers() error {
	for i := range s.cfg.Workers {
		if err := s.group.Go(fmt.Sprintf("worker %d", i+1), func(ctx context.Context) error {
			s.workLoop(ctx)
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// notify wakes one idle worker: a job was probably just queued. The job's
// transaction may not have committed yet, so a woken worker that finds
// nothing looks again shortly after.
func (s *Service) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// recheck is how soon a woken worker that found nothing looks again.
const recheck = 100 * time.Millisecond

func (s *Service) workLoop(ctx context.Context) {
	wait := s.cfg.PollInterval
	for ctx.Err() == nil {
		j, err := s.jobs.claim(ctx, s.now(), s.cfg.Lease, uuid.Must(uuid.NewV7()).String())
		if err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "claiming a job", slog.Any("error", err))
		}
		if j != nil {
			s.runJob(ctx, j)
			wait = s.cfg.PollInterval
			continue
		}
		s.updateDepth(ctx)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-s.wake:
			wait = recheck
		case <-timer.C:
			wait = s.cfg.PollInterval
		}
		timer.Stop()
	}
}

func (s *Service) updateDepth(ctx context.Context) {
	if n, err := s.jobs.depth(ctx); err == nil {
		s.m.depth.Set(float64(n))
	}
}

// runJob runs a claimed job and settles it.
func (s *Service) runJob(ctx context.Context, j *job) {
	start := time.Now()
	log := s.log.With(slog.String("job", j.ID), slog.String("media_id", j.MediaID), slog.Int("attempt", j.Attempts))
	s.m.running.Inc()
	defer s.m.running.Dec()
	if j.Attempts > s.cfg.MaxAttempts {
		// Claimed again after its lease expired too often: the workers
		// running it died (killed, out of memory) — do not try again.
		s.settle(ctx, log, j, start, nil, badInput("processing was interrupted %d times; the file may need more memory or time than this server allows", j.Attempts-1))
		return
	}
	jobCtx, cancel := context.WithTimeoutCause(ctx, s.cfg.JobTimeout, errJobTimeout)
	defer cancel()
	leaseCtx, cancelLease := context.WithCancelCause(jobCtx)
	defer cancelLease(nil)
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		s.heartbeat(leaseCtx, j, cancelLease)
	}()
	result, err := s.safeProcess(leaseCtx, log, j)
	s.forgetProgress(j)
	cancelLease(nil)
	<-beat
	switch {
	case ctx.Err() != nil: // shutting down: give the job back untouched
		rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer rcancel()
		if err := s.jobs.requeue(rctx, j.ID, j.LeaseToken, "interrupted by shutdown", s.now(), true); err != nil {
			log.WarnContext(ctx, "requeue at shutdown", slog.Any("error", err))
		}
		return
	case errors.Is(context.Cause(leaseCtx), errLeaseLost):
		s.m.jobs.WithLabelValues(j.Kind, resultLost).Inc()
		log.WarnContext(ctx, "job lease lost while running; another worker owns it now")
		return
	case err != nil && errors.Is(context.Cause(jobCtx), errJobTimeout):
		log.InfoContext(ctx, "job timed out", slog.Duration("limit", s.cfg.JobTimeout), slog.Any("error", err))
		err = badInput("%s", reasonTimedOut)
	}
	s.settle(ctx, log, j, start, result, err)
}

var errJobTimeout = errors.New("job timeout")

// heartbeat renews the job's lease until ctx ends; when the lease is lost
// it cancels the job.
func (s *Service) heartbeat(ctx context.Context, j *job, cancel context.CancelCauseFunc) {
	t := time.NewTicker(s.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := s.jobs.heartbeat(ctx, j.ID, j.LeaseToken, s.now().Add(s.cfg.Lease))
			if errors.Is(err, errLeaseLost) {
				cancel(errLeaseLost)
				return
			}
			if err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "renewing a job lease", slog.String("job", j.ID), slog.Any("error", err))
			}
		}
	}
}

// safeProcess runs the job's work; a panic fails the job, not the worker.
func (s *Service) safeProcess(ctx context.Context, log *slog.Logger, j *job) (result *jobResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			log.ErrorContext(ctx, "processing panicked", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
			result, err = nil, badInput("internal error while processing the file")
		}
	}()
	return s.process(ctx, j)
}
