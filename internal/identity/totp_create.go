package identity

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

type totpCreateOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Secret     string `json:"secret" doc:"The TOTP secret (base32), for entering by hand"`
		OTPAuthURL string `json:"otpauth_url" doc:"otpauth:// URL to show as a QR code"`
	}
}

// sessionCaller is caller for the account's own security settings: the
// access token must be a session's, not one exchanged for an API token.
func (s *Service) sessionCaller(ctx context.Context) (auth.Principal, User, error) {
	p, u, err := s.caller(ctx)
	if err != nil {
		return p, u, err
	}
	if p.SessionID == "" {
		return p, u, errs.Forbiddenf("this needs a session's access token; a token exchanged for a personal API token cannot")
	}
	return p, u, nil
}

func (s *Service) totpCreate(ctx context.Context, _ *struct{}) (*totpCreateOutput, error) {
	_, u, err := s.sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.startTOTP(ctx, u)
	if err != nil {
		return nil, err
	}
	out := &totpCreateOutput{CacheControl: "no-store"}
	out.Body.Secret, out.Body.OTPAuthURL = e.Secret, e.URL
	return out, nil
}

type totpCodeInput struct {
	Body struct {
		Code string `json:"code" minLength:"1" maxLength:"64" doc:"A code from the authenticator app (or, to disable, a recovery code)"`
	}
}

type totpConfirmOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		RecoveryCodes []string `json:"recovery_codes" doc:"One-time codes for when the app is lost; shown only now"`
	}
}

func (s *Service) totpConfirm(ctx context.Context, in *totpCodeInput) (*totpConfirmOutput, error) {
	_, u, err := s.sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	codes, err := s.confirmTOTP(ctx, u, in.Body.Code)
	if err != nil {
		return nil, err
	}
	out := &totpConfirmOutput{CacheControl: "no-store"}
	out.Body.RecoveryCodes = codes
	return out, nil
}

func (s *Service) totpDelete(ctx context.Context, in *totpCodeInput) (*struct{}, error) {
	_, u, err := s.sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.disableTOTP(ctx, u, in.Body.Code); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

type secondFactorOutput struct {
	Body struct {
		TOTP              bool `json:"totp" doc:"Whether sign-ins need a code from an authenticator app"`
		RecoveryCodesLeft int  `json:"recovery_codes_left" doc:"Unused recovery codes"`
	}
}

func (s *Service) secondFactorGet(ctx context.Context, _ *struct{}) (*secondFactorOutput, error) {
	_, u, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	on, left, err := s.secondFactorStatus(ctx, u)
	if err != nil {
		return nil, err
	}
	out := &secondFactorOutput{}
	out.Body.TOTP, out.Body.RecoveryCodesLeft = on, left
	return out, nil
}
