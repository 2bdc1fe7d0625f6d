package identity

import (
	"context"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// OIDCIdentity is a provider account linked to the caller's account.
type OIDCIdentity struct {
	Provider  string    `json:"provider" doc:"The configured provider's id"`
	CreatedAt time.Time `json:"created_at" doc:"When it was linked"`
}

type oidcIdentityListOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Items []OIDCIdentity `json:"items" nullable:"false"`
	}
}

func (s *Service) oidcIdentityList(ctx context.Context, _ *struct{}) (*oidcIdentityListOutput, error) {
	_, u, err := s.sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.oidcIdentitiesOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := &oidcIdentityListOutput{CacheControl: "no-store"}
	out.Body.Items = make([]OIDCIdentity, 0, len(rows))
	for _, r := range rows {
		// The subject (the provider's user ID) is not shown: nothing a person
		// needs, and an identifier of them at another service.
		out.Body.Items = append(out.Body.Items, OIDCIdentity{Provider: r.Provider, CreatedAt: r.CreatedAt.UTC()})
	}
	return out, nil
}

type oidcIdentityDeleteInput struct {
	Provider string `path:"provider" maxLength:"32" doc:"The provider to unlink"`
}

// oidcIdentityDelete unlinks a provider, unless nothing would be left to get
// back in with: an account the provider made (its password is random and
// known to nobody) with no other provider, no passkey and no verified e-mail
// address to reset the password through. Then 409, so that nobody locks
// themselves out.
func (s *Service) oidcIdentityDelete(ctx context.Context, in *oidcIdentityDeleteInput) (*struct{}, error) {
	_, u, err := s.sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.oidcIdentitiesOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	linked, others, madeByProvider := false, 0, false
	for _, r := range rows {
		if r.Provider == in.Provider {
			linked = true
		} else {
			others++
		}
		// A provider sign-in that made the account links it in the same
		// transaction, with the account's own creation time; such an
		// account's password is random and known to nobody.
		madeByProvider = madeByProvider || r.CreatedAt.Equal(u.CreatedAt)
	}
	if !linked {
		return nil, errs.ErrNotFound
	}
	if others == 0 && madeByProvider && !u.EmailVerified {
		keys, err := s.store.passkeysOf(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			return nil, errs.Conflictf("this provider is your account's only way to sign in: verify your e-mail address (to reset a password) or add a passkey first")
		}
	}
	return &struct{}{}, s.store.unlinkOIDC(ctx, u.ID, in.Provider)
}
