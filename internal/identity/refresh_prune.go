package identity

import (
	"context"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
)

// Refresh tokens are kept after they expire only long enough to answer a
// late reuse like any other bad token; then they are deleted, or the table
// grows with every refresh forever.
const (
	refreshPruneInterval = time.Hour
	refreshKeepExpired   = 24 * time.Hour
)

// pruneLoop deletes long-expired refresh tokens every interval until its
// context ends. It runs on the target's lifecycle group (module.go), which
// stops it and reports it in /readyz should it ever fail.
func (s *Service) pruneLoop(interval time.Duration) lifecycle.Run {
	return func(ctx context.Context) error {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-tick.C:
				if _, err := s.pruneRefresh(ctx); err != nil && ctx.Err() == nil {
					s.log.WarnContext(ctx, "pruning expired refresh tokens failed", "error", err)
				}
				if _, err := s.pruneRevocations(ctx); err != nil && ctx.Err() == nil {
					s.log.WarnContext(ctx, "pruning old revocations failed", "error", err)
				}
				if err := s.store.deleteOIDCLoginsBefore(ctx, s.now().Add(-oidcLoginTTL)); err != nil && ctx.Err() == nil {
					s.log.WarnContext(ctx, "pruning abandoned provider sign-ins failed", "error", err)
				}
				if err := s.store.deleteCeremoniesBefore(ctx, s.now().Add(-ceremonyTTL)); err != nil && ctx.Err() == nil {
					s.log.WarnContext(ctx, "pruning abandoned passkey ceremonies failed", "error", err)
				}
				if _, err := s.store.deleteEmailTokensBefore(ctx, s.now().Add(-refreshKeepExpired)); err != nil && ctx.Err() == nil {
					s.log.WarnContext(ctx, "pruning expired e-mail tokens failed", "error", err)
				}
			}
		}
	}
}

// pruneRefresh deletes the refresh tokens that expired more than
// refreshKeepExpired ago and reports how many.
func (s *Service) pruneRefresh(ctx context.Context) (int64, error) {
	return s.store.deleteRefreshExpiredBefore(ctx, s.now().Add(-refreshKeepExpired))
}
