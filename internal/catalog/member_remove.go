package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
)

// memberRemove takes a user off an author: owners and moderators remove anyone, members
// leave; the last owner cannot go.
func (s *Service) memberRemove(ctx context.Context, in *MemberPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	_, err = s.store.UpdateAuthor(ctx, in.ID, func(a *domain.Author) error {
		return a.RemoveMember(actor, in.UserID, s.now())
	})
	if err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
