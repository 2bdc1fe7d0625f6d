// Package lifecycle runs a service's background work — relays, consumers,
// workers, sweepers — with one shape: each piece is a named Runner that is
// starting, running, stopping, terminated or failed, and a Group that owns the
// pieces of one service. A Runner that ends with an error, or ends at all
// before it was asked to stop, or panics, is failed: the Group logs the cause
// once and reports it from Err, which the service's Ready returns, so /readyz
// shows it. Modelled on dskit's services, without their listeners and
// without a global registry.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
)

// State is where a Runner is in its life.
type State int

// The states, in the order a Runner normally passes through them. Failed is
// the end of a Runner that stopped without being asked, or with an error.
const (
	New State = iota
	Running
	Stopping
	Terminated
	Failed
)

func (s State) String() string {
	switch s {
	case New:
		return "new"
	case Running:
		return "running"
	case Stopping:
		return "stopping"
	case Terminated:
		return "terminated"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Run is a piece of background work. It runs until ctx is cancelled and
// then returns promptly; returning earlier, or returning a non-nil error
// other than ctx's own, is a failure.
type Run func(ctx context.Context) error

// ErrStoppedEarly is the cause recorded for a Runner that returned nil
// before it was asked to stop (a closed subscription, a loop that fell out).
var ErrStoppedEarly = errors.New("stopped before it was asked to")

type runner struct {
	name  string
	state State
	err   error
	done  chan struct{}
}

// Group owns the Runners of one service. It is safe for concurrent use.
// The zero value is not usable: call NewGroup.
type Group struct {
	service string
	log     *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	runners []*runner
	stopped bool
}

// NewGroup returns an empty group for the named service; log receives one
// line per failure (nil discards).
func NewGroup(service string, log *slog.Logger) *Group {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Group{service: service, log: log.With(slog.String("service", service)), ctx: ctx, cancel: cancel}
}

// Context is cancelled when Stop is called: for work that must be set up
// before a Runner starts (a subscription) and torn down with the group.
func (g *Group) Context() context.Context { return g.ctx }

// Go starts run in its own goroutine under name. After Stop it does
// nothing and returns an error.
func (g *Group) Go(name string, run Run) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return fmt.Errorf("%s: %s: group is stopped", g.service, name)
	}
	r := &runner{name: name, state: Running, done: make(chan struct{})}
	g.runners = append(g.runners, r)
	go g.run(r, run)
	return nil
}

func (g *Group) run(r *runner, run Run) {
	defer close(r.done)
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			}
		}()
		return run(g.ctx)
	}()
	g.mu.Lock()
	defer g.mu.Unlock()
	asked := g.ctx.Err() != nil
	switch {
	case err != nil && (!asked || !errors.Is(err, context.Canceled)):
		r.state, r.err = Failed, err
	case !asked:
		r.state, r.err = Failed, ErrStoppedEarly
	default:
		r.state = Terminated
		return
	}
	g.log.Error("background work failed", slog.String("component", r.name), slog.Any("error", r.err))
}

// Err returns nil while every Runner is running (or was stopped on
// request), and otherwise the failures, each named by its Runner.
func (g *Group) Err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var errs []error
	for _, r := range g.runners {
		if r.state == Failed {
			errs = append(errs, fmt.Errorf("%s: %w", r.name, r.err))
		}
	}
	return errors.Join(errs...)
}

// States reports each Runner's state by name, for diagnostics and tests.
func (g *Group) States() map[string]State {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]State, len(g.runners))
	for _, r := range g.runners {
		out[r.name] = r.state
	}
	return out
}

// Stop asks every Runner to stop and waits for them until ctx ends. Runners
// still going then are abandoned (the process is ending) and named in the
// error. Stop may be called more than once.
func (g *Group) Stop(ctx context.Context) error {
	g.mu.Lock()
	g.stopped = true
	for _, r := range g.runners {
		if r.state == Running {
			r.state = Stopping
		}
	}
	runners := slices.Clone(g.runners)
	g.mu.Unlock()
	g.cancel()
	var late []string
	for _, r := range runners {
		select {
		case <-r.done:
			continue
		default:
		}
		select {
		case <-r.done:
		case <-ctx.Done():
			late = append(late, r.name)
		}
	}
	if len(late) > 0 {
		return fmt.Errorf("%s: %v did not stop in time: %w", g.service, late, ctx.Err())
	}
	return nil
}
