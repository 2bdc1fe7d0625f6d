package notify

import (
	"context"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type deviceCreateInput struct {
	Body struct {
		Platform string `json:"platform" enum:"android,ios" doc:"The app's platform"`
		Token    string `json:"token" maxLength:"4096" doc:"The device's FCM registration token (or APNs token with SNS)"`
	}
}

type deviceJSON struct {
	ID        string    `json:"id" doc:"Device ID"`
	Platform  string    `json:"platform" doc:"android or ios"`
	CreatedAt time.Time `json:"created_at" doc:"When it was registered"`
}

type deviceCreateOutput struct {
	Body deviceJSON
}

// deviceCreate registers the caller's device for mobile push.
func (s *Service) deviceCreate(ctx context.Context, in *deviceCreateInput) (*deviceCreateOutput, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	d, err := s.registerDevice(ctx, p.UserID, in.Body.Platform, in.Body.Token)
	if err != nil {
		return nil, err
	}
	return &deviceCreateOutput{Body: deviceJSON{ID: d.ID, Platform: d.Platform, CreatedAt: d.CreatedAt}}, nil
}

type deviceDeleteInput struct {
	ID string `path:"id" maxLength:"36" doc:"Device ID"`
}

// deviceDelete forgets one of the caller's devices.
func (s *Service) deviceDelete(ctx context.Context, in *deviceDeleteInput) (*struct{}, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	ok, err := s.store.deleteDevice(ctx, p.UserID, in.ID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.NotFoundf("no such device")
	}
	return nil, nil
}
