package notify

import (
	"context"
	"sync"
)

// groupBy splits items into groups of equal key, keeping the order of the
// items within each group and of the groups by their first item.
func groupBy[T any](items []T, key func(T) string) [][]T {
	index := map[string]int{}
	var out [][]T
	for _, it := range items {
		k := key(it)
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], it)
	}
	return out
}

// inParallel runs fn on each group, on at most workers goroutines at once,
// and waits for all of them; it answers the first error. One group is
// always worked by one goroutine, in order: what must happen in sequence
// (one webhook endpoint's deliveries, one user's mails) goes in one group.
func inParallel[T any](ctx context.Context, workers int, groups [][]T, fn func(ctx context.Context, group []T) error) error {
	if workers <= 1 || len(groups) <= 1 {
		for _, g := range groups {
			if err := fn(ctx, g); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		next  = make(chan []T)
	)
	for range min(workers, len(groups)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range next {
				if err := fn(ctx, g); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for _, g := range groups {
		next <- g
	}
	close(next)
	wg.Wait()
	return first
}
