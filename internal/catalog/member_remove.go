package catalog

import (
	"context"
)

// memberRemove takes a user off an author: owners and moderators remove anyone, members
// leave; the last owner cannot go.
func (s *Service) memberRemove(ctx context.Context, in *MemberPath) (*noContent, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.removeMember(ctx, actor, in.ID, in.UserID); err != nil {
		return nil, err
	}
	return &noContent{}, nil
}
