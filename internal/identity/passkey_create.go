package identity

import (
	"context"
	"encoding/json"
	"time"
)

type ceremonyOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Ceremony string `json:"ceremony" doc:"Send it back with the device's answer (single use, 5 minutes)"`
		Options  any    `json:"options" doc:"Pass to navigator.credentials.create() or .get() (the publicKey member)"`
	}
}

func newCeremonyOutput(id string, opts any) *ceremonyOutput {
	out := &ceremonyOutput{CacheControl: "no-store"}
	out.Body.Ceremony, out.Body.Options = id, opts
	return out
}

func (s *Service) passkeyBegin(ctx context.Context, _ *struct{}) (*ceremonyOutput, error) {
	_, u, err := s.sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	id, opts, err := s.beginPasskeyRegistration(ctx, u)
	if err != nil {
		return nil, err
	}
	return newCeremonyOutput(id, opts), nil
}

type passkeyFinishInput struct {
	Body struct {
		Ceremony   string          `json:"ceremony,omitempty" maxLength:"36" doc:"From the options call (optional: the signed challenge names it)"`
		Name       string          `json:"name,omitempty" maxLength:"100" doc:"A name to recognise the passkey by"`
		Credential json.RawMessage `json:"credential" doc:"The PublicKeyCredential the device answered, as JSON (base64url binary fields)"`
	}
}

type passkeyJSON struct {
	ID         string     `json:"id" doc:"Credential ID (base64url)"`
	Name       string     `json:"name" doc:"Its name"`
	CreatedAt  time.Time  `json:"created_at" doc:"When it was registered"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" doc:"Last sign-in with it"`
}

type passkeyOutput struct {
	Body passkeyJSON
}

func (s *Service) passkeyFinish(ctx context.Context, in *passkeyFinishInput) (*passkeyOutput, error) {
	_, u, err := s.sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	row, err := s.finishPasskeyRegistration(ctx, u, in.Body.Ceremony, in.Body.Name, in.Body.Credential)
	if err != nil {
		return nil, err
	}
	return &passkeyOutput{Body: passkeyJSON{ID: row.ID, Name: row.Name, CreatedAt: row.CreatedAt.UTC()}}, nil
}

type passkeyListOutput struct {
	Body struct {
		Items []passkeyJSON `json:"items" doc:"Your passkeys"`
	}
}

func (s *Service) passkeyList(ctx context.Context, _ *struct{}) (*passkeyListOutput, error) {
	p, _, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.passkeysOf(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	out := &passkeyListOutput{}
	out.Body.Items = make([]passkeyJSON, 0, len(rows))
	for _, r := range rows {
		out.Body.Items = append(out.Body.Items, passkeyJSON{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt.UTC(), LastUsedAt: r.LastUsedAt})
	}
	return out, nil
}

type passkeyDeleteInput struct {
	ID string `path:"id" maxLength:"1400" doc:"Credential ID"`
}

func (s *Service) passkeyDelete(ctx context.Context, in *passkeyDeleteInput) (*struct{}, error) {
	_, u, err := s.sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	return &struct{}{}, s.store.deletePasskey(ctx, u.ID, in.ID)
}

func (s *Service) passkeySignInBegin(ctx context.Context, _ *struct{}) (*ceremonyOutput, error) {
	id, opts, err := s.beginPasskeySignIn(ctx)
	if err != nil {
		return nil, err
	}
	return newCeremonyOutput(id, opts), nil
}

type passkeySignInInput struct {
	clientDevice
	// RawBody is the PublicKeyCredential the device answered, as JSON, or
	// {ceremony, credential}; the ceremony is found by the signed challenge.
	RawBody []byte
}

func (s *Service) passkeySignIn(ctx context.Context, in *passkeySignInInput) (*tokenOutput, error) {
	ctx = withDevice(ctx, in.clientDevice)
	var wrapped struct {
		Ceremony   string          `json:"ceremony"`
		Credential json.RawMessage `json:"credential"`
	}
	credential := json.RawMessage(in.RawBody)
	if err := json.Unmarshal(in.RawBody, &wrapped); err == nil && len(wrapped.Credential) > 0 {
		credential = wrapped.Credential
	}
	pair, err := s.finishPasskeySignIn(ctx, wrapped.Ceremony, credential)
	if err != nil {
		return nil, err
	}
	return newTokenOutput(pair), nil
}
