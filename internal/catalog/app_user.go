package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// Commands about identity's users, run by the consumers of identity's
// events (consume_users.go, saga.go) in their transaction, through st.

// setUserStatus records that userID is blocked (suspended or deleted, as
// reason says) or not, as of the user's version.
func (s *Service) setUserStatus(ctx context.Context, st *Store, userID string, blocked bool, reason string, version int64) error {
	return st.setBlocked(ctx, userID, blocked, reason, version, s.now())
}

// dropDeletedUser takes a deleted user off every author; authors it was
// the only owner of are removed (and their media follow).
func (s *Service) dropDeletedUser(ctx context.Context, st *Store, userID string) error {
	authorIDs, err := st.memberAuthorIDs(ctx, userID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, id := range authorIDs {
		_, err := st.UpdateAuthor(ctx, id, func(a *domain.Author) error {
			a.DropDeletedUser(userID, now)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
