package notify

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type pushSubscribeInput struct {
	Body struct {
		Endpoint string `json:"endpoint" maxLength:"2000" doc:"PushSubscription.endpoint"`
		Keys     struct {
			P256dh string `json:"p256dh" maxLength:"200" doc:"The browser's P-256 public key, base64url"`
			Auth   string `json:"auth" maxLength:"100" doc:"The 16-byte auth secret, base64url"`
		} `json:"keys" doc:"PushSubscription.getKey() values"`
	}
}

// pushSubscribe registers a browser for Web Push (the JSON of a
// PushSubscription, as the browser gives it).
func (s *Service) pushSubscribe(ctx context.Context, in *pushSubscribeInput) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.subscribePush(ctx, p.UserID, in.Body.Endpoint, in.Body.Keys.P256dh, in.Body.Keys.Auth)
}

type pushUnsubscribeInput struct {
	Endpoint string `query:"endpoint" maxLength:"2000" required:"true" doc:"The subscription's endpoint"`
}

// pushUnsubscribe removes one of the caller's subscriptions.
func (s *Service) pushUnsubscribe(ctx context.Context, in *pushUnsubscribeInput) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	ok, err := s.store.deletePushSubscription(ctx, p.UserID, in.Endpoint)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.NotFoundf("no such push subscription")
	}
	return nil, nil
}

type vapidKeyOutput struct {
	Body struct {
		PublicKey string `json:"public_key" doc:"The VAPID public key: PushManager.subscribe's applicationServerKey"`
	}
}

// vapidKey tells browsers which key the server signs pushes with.
func (s *Service) vapidKey(context.Context, *struct{}) (*vapidKeyOutput, error) {
	if !s.pushEnabled() {
		return nil, errs.New(errs.Unavailable, "web push is not configured on this server")
	}
	out := &vapidKeyOutput{}
	out.Body.PublicKey = s.cfg.VAPIDPublicKey
	return out, nil
}
