package notify

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type notificationReadInput struct {
	ID string `path:"id" maxLength:"36" doc:"Notification ID"`
}

// notificationRead marks one of the caller's notifications read.
func (s *Service) notificationRead(ctx context.Context, in *notificationReadInput) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.markRead(ctx, p.UserID, in.ID)
}

type notificationReadAllOutput struct {
	Body struct {
		Marked int64 `json:"marked" doc:"How many notifications were marked read"`
	}
}

// notificationReadAll marks all the caller's notifications read.
func (s *Service) notificationReadAll(ctx context.Context, _ *struct{}) (*notificationReadAllOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	n, err := s.store.markAllRead(ctx, p.UserID, s.now())
	if err != nil {
		return nil, err
	}
	out := &notificationReadAllOutput{}
	out.Body.Marked = n
	return out, nil
}
