package identity

import (
	"context"
	"math"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// hashGate bounds how many argon2id computations run at once in the
// process. Each one takes about 19 MiB for a few tens of milliseconds, so
// unbounded, a burst of anonymous sign-ups or sign-ins is a memory bomb;
// bounded, it is a queue. A caller waits for a slot at most wait (or until
// its request is cancelled); then it gets 503 with Retry-After instead of
// piling up. Safe for concurrent use.
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
}

func newHashGate(size int, wait time.Duration) *hashGate {
	return &hashGate{slots: make(chan struct{}, max(size, 1)), wait: wait}
}

// run calls fn while holding a slot.
func (g *hashGate) run(ctx context.Context, fn func()) error {
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return &errs.Error{Kind: errs.Unavailable, RetryAfterSeconds: max(1, int(math.Ceil(g.wait.Seconds()/2))),
			Message: "the service is busy checking passwords; try again shortly"}
	}
	defer func() { <-g.slots }()
	fn()
	return nil
}

// hashPassword hashes password within the gate.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	var (
		hash string
		err  error
	)
	if gerr := s.hashes.run(ctx, func() { hash, err = hashPassword(password) }); gerr != nil {
		return "", gerr
	}
	return hash, err
}

// verifyPassword checks password against encoded within the gate.
func (s *Service) verifyPassword(ctx context.Context, password, encoded string) (bool, error) {
	var (
		ok  bool
		err error
	)
	if gerr := s.hashes.run(ctx, func() { ok, err = verifyPassword(password, encoded) }); gerr != nil {
		return false, gerr
	}
	return ok, err
}
