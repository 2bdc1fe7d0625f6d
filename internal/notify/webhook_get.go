package notify

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

// WebhookPath names a webhook.
type WebhookPath struct {
	ID string `path:"id" maxLength:"36" doc:"Webhook ID"`
}

type webhookGetOutput struct {
	Body webhookJSON
}

// webhookGet shows a webhook to its author's members and admins.
func (s *Service) webhookGet(ctx context.Context, in *WebhookPath) (*webhookGetOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.ownWebhook(ctx, p, in.ID)
	if err != nil {
		return nil, err
	}
	return &webhookGetOutput{Body: webhookView(w)}, nil
}

// webhookDelete removes a webhook and its delivery log.
func (s *Service) webhookDelete(ctx context.Context, in *WebhookPath) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.ownWebhook(ctx, p, in.ID); err != nil {
		return nil, err
	}
	return nil, s.store.Tx(ctx, func(st *Store) error { return st.deleteWebhook(ctx, in.ID) })
}
