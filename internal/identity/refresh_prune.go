package identity

import (
	"context"
	"sync"
	"time"
)

// Refresh tokens are kept after they expire only long enough to answer a
// late reuse like any other bad token; then they are deleted, or the table
// grows with every refresh forever.
const (
	refreshPruneInterval = time.Hour
	refreshKeepExpired   = 24 * time.Hour
)

// pruner deletes long-expired refresh tokens every interval until stop.
type pruner struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startPruner(s *Service, interval time.Duration) *pruner {
	ctx, cancel := context.WithCancel(context.Background())
	p := &pruner{cancel: cancel}
	p.wg.Go(func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if _, err := s.pruneRefresh(ctx); err != nil && ctx.Err() == nil {
					s.log.WarnContext(ctx, "pruning expired refresh tokens failed", "error", err)
				}
			}
		}
	})
	return p
}

// stop ends the pruner and waits for it; a nil pruner does nothing.
func (p *pruner) stop() {
	if p == nil {
		return
	}
	p.cancel()
	p.wg.Wait()
}

// pruneRefresh deletes the refresh tokens that expired more than
// refreshKeepExpired ago and reports how many.
func (s *Service) pruneRefresh(ctx context.Context) (int64, error) {
	return s.store.deleteRefreshExpiredBefore(ctx, s.now().Add(-refreshKeepExpired))
}
