package engagement

import (
	"context"
	"fmt"
)

// eraseUser deletes everything engagement keeps about a user: follows,
// likes, progress and collections. Aggregate counts stay, and so do the
// view records, which name nobody: hashes of (viewer, item, hour) deleted
// after the hour and per-item viewer sketches (see store_view.go).
func (s *Store) eraseUser(ctx context.Context, userID string) error {
	for _, st := range []struct {
		q   string
		arg string
	}{
		{"DELETE FROM follows WHERE user_id = ?", userID},
		{"DELETE FROM likes WHERE user_id = ?", userID},
		{"DELETE FROM progress WHERE user_id = ?", userID},
	} {
		if _, err := s.exec(ctx, st.q, st.arg); err != nil {
			return fmt.Errorf("erase user: %w", err)
		}
	}
	if err := s.eraseCollections(ctx, userID); err != nil {
		return fmt.Errorf("erase user: %w", err)
	}
	if err := s.forgetReporter(ctx, userID); err != nil {
		return fmt.Errorf("erase user: %w", err)
	}
	return nil
}
