package notify

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type webhookDeliveryListInput struct {
	WebhookPath
	PageSize  int    `query:"page_size" minimum:"1" maximum:"100" default:"20" doc:"Items per page (1..100)"`
	PageToken string `query:"page_token" maxLength:"1024" doc:"next_page_token of the previous page"`
}

type webhookDeliveryListOutput struct {
	Body struct {
		Items         []webhookDeliveryJSON `json:"items" doc:"Deliveries, newest first"`
		NextPageToken string                `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
	}
}

// webhookDeliveryList shows a webhook's delivery log.
func (s *Service) webhookDeliveryList(ctx context.Context, in *webhookDeliveryListInput) (*webhookDeliveryListOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.ownWebhook(ctx, p, in.ID); err != nil {
		return nil, err
	}
	var pos inboxPosition
	if in.PageToken != "" {
		if err := httpx.DecodePageToken(in.PageToken, &pos); err != nil {
			return nil, err
		}
		if !domain.ValidID(pos.ID) {
			return nil, errs.InvalidField("query.page_token", "not a page token of this list")
		}
	}
	size := httpx.PageSize(in.PageSize)
	list, err := s.store.webhookDeliveries(ctx, in.ID, pos.ID, size)
	if err != nil {
		return nil, err
	}
	out := &webhookDeliveryListOutput{}
	out.Body.Items = make([]webhookDeliveryJSON, len(list))
	for i, d := range list {
		out.Body.Items[i] = webhookDeliveryView(d)
	}
	if len(list) == size {
		out.Body.NextPageToken = httpx.EncodePageToken(inboxPosition{ID: list[len(list)-1].ID})
	}
	return out, nil
}

type webhookRedeliverInput struct {
	WebhookPath
	DeliveryID string `path:"delivery_id" maxLength:"36" doc:"Delivery ID"`
}

// webhookRedeliver sends a delivery again (and re-enables the webhook).
func (s *Service) webhookRedeliver(ctx context.Context, in *webhookRedeliverInput) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.ownWebhook(ctx, p, in.ID); err != nil {
		return nil, err
	}
	if !domain.ValidID(in.DeliveryID) {
		return nil, errs.NotFoundf("no such delivery")
	}
	var ok bool
	err = s.store.Tx(ctx, func(st *Store) error {
		var err error
		ok, err = st.redeliver(ctx, in.ID, in.DeliveryID, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.NotFoundf("no such delivery")
	}
	s.wakeWebhooks()
	return nil, nil
}
