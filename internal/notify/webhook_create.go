package notify

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
)

type webhookCreateInput struct {
	Body struct {
		AuthorID   string   `json:"author_id" maxLength:"36" doc:"The author whose events are sent"`
		URL        string   `json:"url" maxLength:"2000" doc:"Where to POST the events (http or https; not loopback, private or link-local unless the operator allows it)"`
		EventTypes []string `json:"event_types" maxItems:"10" doc:"Types to send: media.published, media.processed, media.failed, author.member.added, report.resolved"`
		Secret     string   `json:"secret,omitempty" maxLength:"200" doc:"Signing secret (whsec_<base64> or 24+ characters); omitted: one is generated and returned once"`
	}
}

type webhookCreateOutput struct {
	Body webhookCreatedJSON
}

// webhookCreate registers a webhook for an author (its members and admins).
func (s *Service) webhookCreate(ctx context.Context, in *webhookCreateInput) (*webhookCreateOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.createWebhook(ctx, p, in.Body.AuthorID, in.Body.URL, in.Body.EventTypes, in.Body.Secret)
	if err != nil {
		return nil, err
	}
	return &webhookCreateOutput{Body: webhookCreatedJSON{webhookJSON: webhookView(w), Secret: w.Secret}}, nil
}
