package identity

import (
	"context"
)

type refreshInput struct {
	clientDevice
	Body struct {
		RefreshToken string `json:"refresh_token" minLength:"1" maxLength:"200" doc:"The refresh token from the last sign-in or refresh"`
	}
}

func (s *Service) tokenRefresh(ctx context.Context, in *refreshInput) (*tokenOutput, error) {
	ctx = withDevice(ctx, in.clientDevice)
	pair, err := s.refresh(ctx, in.Body.RefreshToken)
	if err != nil {
		return nil, err
	}
	return newTokenOutput(pair), nil
}
