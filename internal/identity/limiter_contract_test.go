package identity

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// counters returns the Counter implementations to hold to one contract:
// memory always, Redis when it answers (TEST_REDIS_URL, default local).
// newReplica gives a second replica's view of the same counts.
func counters(t *testing.T) map[string]func() Counter {
	t.Helper()
	out := map[string]func() Counter{}
	mem := newMemoryCounter(func() time.Time { return time.Now() })
	out["memory"] = func() Counter { return mem }
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	prefix := "identity-test:" + uuid.NewString() + ":"
	first, err := newRedisCounter(context.Background(), url, prefix)
	if err != nil {
		if testkit.RequireServers() {
			t.Fatalf("Redis is required (TEST_REQUIRE_SERVERS=1) but unavailable: %v", err)
		}
		t.Logf("Redis unavailable, contract runs on memory only: %v", err)
		return out
	}
	t.Cleanup(func() { _ = first.Close() })
	replicas := 0
	out["redis"] = func() Counter {
		replicas++
		if replicas == 1 {
			return first
		}
		c, err := newRedisCounter(context.Background(), url, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	return out
}

func TestCounterContract(t *testing.T) {
	t.Parallel()
	for name, replica := range counters(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			a, b := replica(), replica()

			// Counts add up across replicas within one window.
			for i := 1; i <= 3; i++ {
				n, ends, err := a.Add(ctx, "k", time.Minute)
				if err != nil || n != i || time.Until(ends) <= 0 || time.Until(ends) > time.Minute+time.Second {
					t.Fatalf("add %d: %d %v %v", i, n, ends, err)
				}
			}
			if n, _, err := b.Add(ctx, "k", time.Minute); err != nil || n != 4 {
				t.Fatalf("the other replica counts %d (%v), want 4", n, err)
			}
			if n, _, _ := b.Peek(ctx, "k"); n != 4 {
				t.Fatalf("peek = %d", n)
			}
			// Release takes one back, never below zero.
			for range 6 {
				if err := a.Release(ctx, "k"); err != nil {
					t.Fatal(err)
				}
			}
			if n, _, _ := b.Peek(ctx, "k"); n != 0 {
				t.Fatalf("after releases = %d", n)
			}
			if n, _, _ := a.Add(ctx, "k", time.Minute); n != 1 {
				t.Fatalf("add after releases = %d", n)
			}
			// Reset forgets; other keys are apart.
			_, _, _ = a.Add(ctx, "other", time.Minute)
			if err := b.Reset(ctx, "k"); err != nil {
				t.Fatal(err)
			}
			if n, _, _ := a.Peek(ctx, "k"); n != 0 {
				t.Fatalf("after reset = %d", n)
			}
			if n, _, _ := a.Peek(ctx, "other"); n != 1 {
				t.Fatalf("other key = %d", n)
			}
			// A window ends.
			if n, _, _ := a.Add(ctx, "short", 50*time.Millisecond); n != 1 {
				t.Fatal(n)
			}
			testkit.Eventually(t, "the short window to end", func() bool {
				n, _, _ := b.Peek(ctx, "short")
				return n == 0
			})
			if n, _, _ := b.Add(ctx, "short", time.Minute); n != 1 {
				t.Fatalf("a new window starts at %d", n)
			}
			// Concurrent adds from both replicas are each counted once.
			var wg sync.WaitGroup
			seen := make(chan int, 40)
			for i := range 40 {
				c := a
				if i%2 == 1 {
					c = b
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, _, err := c.Add(ctx, "race", time.Minute)
					if err != nil {
						t.Error(err)
					}
					seen <- n
				}()
			}
			wg.Wait()
			close(seen)
			got := map[int]bool{}
			for n := range seen {
				if got[n] {
					t.Fatalf("count %d answered twice", n)
				}
				got[n] = true
			}
			if len(got) != 40 || !got[40] {
				t.Fatalf("counts = %v", got)
			}
		})
	}
}
