package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
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
	userID, role := in.Body.UserID, in.Body.Role
	if role == "" {
		role = domain.RoleMember
	}
	a, err := s.store.Author(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := a.CheckAddMember(actor, userID, role, s.limits.MaxMembersPerAuthor); err != nil {
		return nil, err
	}
	exists, err := s.dir.Exists(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, errs.InvalidField("user_id", "no such user")
	}
	var m domain.AuthorMember
	_, err = s.store.UpdateAuthor(ctx, in.ID, func(a *domain.Author) error {
		m, err = a.AddMember(actor, userID, role, s.limits.MaxMembersPerAuthor, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return &memberOutput{Body: memberView(m)}, nil
}
