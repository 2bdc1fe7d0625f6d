package notify

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type unreadCountOutput struct {
	Body struct {
		Unread int64 `json:"unread" doc:"Unread notifications"`
	}
}

// notificationUnreadCount counts the caller's unread notifications.
func (s *Service) notificationUnreadCount(ctx context.Context, _ *struct{}) (*unreadCountOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	n, err := s.store.unreadCount(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	out := &unreadCountOutput{}
	out.Body.Unread = n
	return out, nil
}
