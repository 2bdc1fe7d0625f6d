package identity

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type tokenInput struct {
	clientDevice
	Body struct {
		Email       string         `json:"email,omitempty" maxLength:"254" doc:"Sign-in email (with password)"`
		Password    string         `json:"password,omitempty" maxLength:"1024" doc:"Password (with email)"`
		APIToken    string         `json:"api_token,omitempty" maxLength:"200" doc:"A personal API token (alx_...) to exchange instead of email and password"`
		Passkey     *passkeyFactor `json:"passkey,omitempty" doc:"With email and password: a passkey's answer as the second factor, instead of otp"`
		OTP         string         `json:"otp,omitempty" maxLength:"64" doc:"With email and password, for an account with a second factor: a code from the authenticator app, or a recovery code"`
		DeviceToken string         `json:"device_token,omitempty" maxLength:"2048" doc:"The device_token of an earlier sign-in on this device (with email and password): failed attempts from a trusted device are counted apart from everyone else's"`
	}
	DeviceCookie string `cookie:"alexandria_device" doc:"What browsers send instead of device_token"`
}

type tokenOutput struct {
	CacheControl string `header:"Cache-Control"`
	SetCookie    string `header:"Set-Cookie" doc:"The device token as the alexandria_device cookie (HttpOnly, password sign-ins only)"`
	Body         tokenJSON
}

func newTokenOutput(p TokenPair) *tokenOutput {
	out := &tokenOutput{CacheControl: "no-store", Body: tokenJSON{AccessToken: p.AccessToken,
		RefreshToken: p.RefreshToken, TokenType: "Bearer", ExpiresIn: p.ExpiresIn, DeviceToken: p.DeviceToken}}
	if p.DeviceToken != "" {
		out.SetCookie = deviceCookieFor(p.DeviceToken)
	}
	return out
}

func (s *Service) tokenCreate(ctx context.Context, in *tokenInput) (*tokenOutput, error) {
	ctx = withDevice(ctx, in.clientDevice)
	b := in.Body
	if b.APIToken != "" {
		if b.Email != "" || b.Password != "" || b.DeviceToken != "" || b.OTP != "" || b.Passkey != nil {
			return nil, errs.InvalidField("api_token", "send either api_token or email and password, not both")
		}
		pair, err := s.exchangeAPIToken(ctx, b.APIToken)
		if err != nil {
			return nil, err
		}
		return newTokenOutput(pair), nil
	}
	var v errs.Validation
	v.Check(b.Email != "", "email", "is required (or send api_token)")
	v.Check(b.Password != "", "password", "is required (or send api_token)")
	if err := v.Err(); err != nil {
		return nil, err
	}
	device := b.DeviceToken
	if device == "" {
		device = in.DeviceCookie
	}
	pair, err := s.login(withPasskeyFactor(ctx, b.Passkey), b.Email, b.Password, device, b.OTP)
	if err != nil {
		return nil, err
	}
	return newTokenOutput(pair), nil
}
