package identity

import (
	"context"
	"sync"
	"time"
)

// Counter counts events per key in fixed windows. The first Add for a key
// opens a window of the given length; the count resets when it ends.
// Implementations must be safe for concurrent use. The in-memory one below
// serves a single replica; a Redis one (INCR + PEXPIRE) can replace it when
// identity runs replicated, without touching the sign-in code.
type Counter interface {
	// Add counts one event and returns the count in the current window
	// and when that window ends.
	Add(ctx context.Context, key string, window time.Duration) (int, time.Time, error)
	// Peek returns the same without counting.
	Peek(ctx context.Context, key string) (int, time.Time, error)
	// Release takes back one event counted by Add in the current window
	// (a reservation that was not used); it never goes below zero.
	Release(ctx context.Context, key string) error
	// Reset forgets key.
	Reset(ctx context.Context, key string) error
}

// memoryCounter is a mutex-protected map. Expired entries are swept during
// Add at most once a minute, so it needs no goroutine and stays bounded by
// the keys seen in one window.
type memoryCounter struct {
	now func() time.Time

	mu        sync.Mutex
	entries   map[string]counterEntry
	nextSweep time.Time
}

type counterEntry struct {
	count int
	ends  time.Time
}

func newMemoryCounter(now func() time.Time) *memoryCounter {
	return &memoryCounter{now: now, entries: map[string]counterEntry{}}
}

func (c *memoryCounter) Add(_ context.Context, key string, window time.Duration) (int, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if now.After(c.nextSweep) {
		for k, e := range c.entries {
			if !now.Before(e.ends) {
				delete(c.entries, k)
			}
		}
		c.nextSweep = now.Add(time.Minute)
	}
	e, ok := c.entries[key]
	if !ok || !now.Before(e.ends) {
		e = counterEntry{ends: now.Add(window)}
	}
	e.count++
	c.entries[key] = e
	return e.count, e.ends, nil
}

func (c *memoryCounter) Peek(_ context.Context, key string) (int, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.now().Before(e.ends) {
		return 0, time.Time{}, nil
	}
	return e.count, e.ends, nil
}

func (c *memoryCounter) Release(_ context.Context, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if ok && c.now().Before(e.ends) && e.count > 0 {
		e.count--
		c.entries[key] = e
	}
	return nil
}

func (c *memoryCounter) Reset(_ context.Context, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
	return nil
}
