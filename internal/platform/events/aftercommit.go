package events

import (
	"context"
	"sync"
)

// afterCommitKey carries the callbacks a handler asked to run once its
// transaction has committed.
type afterCommitKey struct{}

type afterCommit struct {
	mu  sync.Mutex
	fns []func()
}

// AfterCommit runs fn once the consumer transaction ctx belongs to has
// committed (never when it rolls back or the event was a duplicate). It is
// for effects outside the store that must not run ahead of the commit, such
// as invalidating an in-memory cache built from the store. Outside a
// handler's context, fn runs at once.
func AfterCommit(ctx context.Context, fn func()) {
	a, ok := ctx.Value(afterCommitKey{}).(*afterCommit)
	if !ok {
		fn()
		return
	}
	a.mu.Lock()
	a.fns = append(a.fns, fn)
	a.mu.Unlock()
}

func withAfterCommit(ctx context.Context) (context.Context, *afterCommit) {
	a := &afterCommit{}
	return context.WithValue(ctx, afterCommitKey{}, a), a
}

func (a *afterCommit) run() {
	a.mu.Lock()
	fns := a.fns
	a.fns = nil
	a.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}
