package catalog

import (
	"context"
)

type memberAddInput struct {
	AuthorPath
	Body struct {
		UserID string `json:"user_id" maxLength:"36" doc:"Identity user ID of the new member"`
		Role   string `json:"role,omitempty" enum:"owner,member" default:"member" doc:"owner manages members; member publishes"`
	}
}

type memberOutput struct {
	Body authorMemberJSON
}

// memberAdd adds a user to an author; owners or moderators. The user must exist in
// identity. The directory is asked outside the transaction (no remote call
// while holding locks), then the rules run again on the fresh row.
func (s *Service) memberAdd(ctx context.Context, in *memberAddInput) (*memberOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.addMember(ctx, actor, in.ID, in.Body.UserID, in.Body.Role)
	if err != nil {
		return nil, err
	}
	return &memberOutput{Body: memberView(m)}, nil
}
