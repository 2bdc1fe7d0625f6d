package catalog

import (
	"context"
)

// MemberPath names a member of an author in the path.
type MemberPath struct {
	AuthorPath
	UserID string `path:"user_id" doc:"Member's user ID"`
}

type memberUpdateInput struct {
	MemberPath
	Body struct {
		Role string `json:"role" enum:"owner,member" doc:"New role"`
	}
}

// memberUpdate changes a member's role; owners or moderators; the last owner stays.
func (s *Service) memberUpdate(ctx context.Context, in *memberUpdateInput) (*memberOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.setMemberRole(ctx, actor, in.ID, in.UserID, in.Body.Role)
	if err != nil {
		return nil, err
	}
	return &memberOutput{Body: memberView(m)}, nil
}
