package engagement

import (
	"context"
	"fmt"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
)

// eraseUser deletes everything engagement keeps about a user: follows,
// likes, progress, collections and viewer records. Aggregate counts stay.
func (s *Store) eraseUser(ctx context.Context, userID string) error {
	viewer := domain.UserViewer(userID)
	for _, st := range []struct {
		q   string
		arg string
	}{
		{"DELETE FROM follows WHERE user_id = ?", userID},
		{"DELETE FROM likes WHERE user_id = ?", userID},
		{"DELETE FROM progress WHERE user_id = ?", userID},
		{"DELETE FROM view_hours WHERE viewer = ?", viewer},
		{"DELETE FROM viewers WHERE viewer = ?", viewer},
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
