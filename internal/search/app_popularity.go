package search

import (
	"context"
	"log/slog"
	"time"
)

// Popularity: engagement's like and view events add to an item's counts
// (one small upsert in the consumer's transaction); runPopularity copies
// the changed counts into the items' popularity, which sort=popular and
// suggestions order by, every popularity_flush.

// runPopularity is a runner of the target's background group.
func (a *app) runPopularity(ctx context.Context) error {
	t := time.NewTicker(a.cfg.PopularityFlush)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			a.flushPopularity(ctx)
		}
	}
}

// flushPopularity copies every pending count, in batches.
func (a *app) flushPopularity(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := a.store.FlushPopularity(ctx, 500)
		if err != nil {
			if ctx.Err() == nil {
				a.log.WarnContext(ctx, "popularity flush", slog.Any("error", err))
			}
			return
		}
		a.m.popularityFlushed.Add(float64(n))
		if n < 500 {
			return
		}
	}
}

// indexLanguages are the languages a query without a language filter is
// stemmed for: those of the indexed items.
func (a *app) indexLanguages(ctx context.Context) ([]string, error) {
	return a.store.Languages(ctx)
}
