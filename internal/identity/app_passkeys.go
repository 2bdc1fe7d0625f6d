package identity

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Passkeys: WebAuthn credentials kept by the user's device, registered by a
// signed-in user and then usable to sign in without a password. A passkey
// sign-in needs the device's user verification, so it counts as a second
// factor (require_second_factor_for_staff).

const (
	ceremonyTTL         = 5 * time.Minute
	ceremonyRegister    = "register"
	ceremonySignIn      = "signin"
	passkeyNameMaxBytes = 100
)

// passkeyUser is an account as the WebAuthn library sees it.
type passkeyUser struct {
	u     User
	creds []webauthn.Credential
}

func (p passkeyUser) WebAuthnID() []byte                         { return []byte(p.u.ID) }
func (p passkeyUser) WebAuthnName() string                       { return p.u.Email }
func (p passkeyUser) WebAuthnDisplayName() string                { return p.u.DisplayName }
func (p passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

// relyingParty returns the WebAuthn configuration: identity.webauthn_rp_id
// and webauthn_origins, or the public URL's host and origin.
func (s *Service) relyingParty() (*webauthn.WebAuthn, error) {
	if s.webauthn != nil {
		return s.webauthn, nil
	}
	return nil, errs.New(errs.Unavailable, "passkeys need identity.webauthn_rp_id (or http.public_url)")
}

func newRelyingParty(cfg Config, publicURL string) *webauthn.WebAuthn {
	rpID, origins := cfg.WebAuthnRPID, cfg.WebAuthnOrigins
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		if rpID == "" {
			rpID = u.Hostname()
		}
		if len(origins) == 0 {
			origins = []string{u.Scheme + "://" + u.Host}
		}
	}
	if rpID == "" || len(origins) == 0 {
		return nil
	}
	w, err := webauthn.New(&webauthn.Config{RPID: rpID, RPDisplayName: "Alexandria", RPOrigins: origins})
	if err != nil {
		return nil
	}
	return w
}

func (s *Service) loadPasskeyUser(ctx context.Context, u User) (passkeyUser, []passkeyRow, error) {
	rows, err := s.store.passkeysOf(ctx, u.ID)
	if err != nil {
		return passkeyUser{}, nil, err
	}
	pu := passkeyUser{u: u}
	for _, r := range rows {
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(r.Credential), &c); err != nil {
			return passkeyUser{}, nil, err
		}
		pu.creds = append(pu.creds, c)
	}
	return pu, rows, nil
}

// beginPasskeyRegistration answers the creation options for u's device and
// the ceremony that finishes it.
func (s *Service) beginPasskeyRegistration(ctx context.Context, u User) (string, any, error) {
	w, err := s.relyingParty()
	if err != nil {
		return "", nil, err
	}
	pu, _, err := s.loadPasskeyUser(ctx, u)
	if err != nil {
		return "", nil, err
	}
	exclude := make([]protocol.CredentialDescriptor, 0, len(pu.creds))
	for _, c := range pu.creds {
		exclude = append(exclude, c.Descriptor())
	}
	opts, session, err := w.BeginRegistration(pu, webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithExclusions(exclude), webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, UserVerification: protocol.VerificationRequired}))
	if err != nil {
		return "", nil, err
	}
	id, err := s.saveCeremony(ctx, u.ID, ceremonyRegister, session)
	return id, opts, err
}

func (s *Service) saveCeremony(ctx context.Context, userID, kind string, session *webauthn.SessionData) (string, error) {
	data, err := json.Marshal(session)
	if err != nil {
		return "", err
	}
	id := uuid.Must(uuid.NewV7()).String()
	return id, s.store.insertCeremony(ctx, ceremonyRow{ID: id, UserID: userID, Kind: kind, Challenge: session.Challenge,
		Data: string(data), CreatedAt: s.now()})
}

// takeCeremony spends the ceremony whose challenge the device signed; id,
// when the client sends it, must name the same ceremony.
func (s *Service) takeCeremony(ctx context.Context, id, challenge, kind string) (webauthn.SessionData, string, error) {
	if challenge == "" {
		return webauthn.SessionData{}, "", errCeremony
	}
	row, err := s.store.takeCeremony(ctx, challenge, kind, s.now().Add(-ceremonyTTL))
	if err != nil {
		return webauthn.SessionData{}, "", err
	}
	if id != "" && id != row.ID {
		return webauthn.SessionData{}, "", errCeremony
	}
	var session webauthn.SessionData
	if err := json.Unmarshal([]byte(row.Data), &session); err != nil {
		return webauthn.SessionData{}, "", err
	}
	return session, row.UserID, nil
}

// finishPasskeyRegistration checks the device's answer and stores the passkey.
func (s *Service) finishPasskeyRegistration(ctx context.Context, u User, ceremony, name string, response []byte) (passkeyRow, error) {
	w, err := s.relyingParty()
	if err != nil {
		return passkeyRow{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(bytes.NewReader(response))
	if err != nil {
		return passkeyRow{}, errs.InvalidField("credential", "is not a WebAuthn registration response: %s", protocolReason(err))
	}
	session, owner, err := s.takeCeremony(ctx, ceremony, parsed.Response.CollectedClientData.Challenge, ceremonyRegister)
	if err != nil {
		return passkeyRow{}, err
	}
	if owner != u.ID {
		return passkeyRow{}, errCeremony
	}
	pu, _, err := s.loadPasskeyUser(ctx, u)
	if err != nil {
		return passkeyRow{}, err
	}
	cred, err := w.CreateCredential(pu, session, parsed)
	if err != nil {
		return passkeyRow{}, errs.InvalidField("credential", "was not accepted: %s", protocolReason(err))
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return passkeyRow{}, err
	}
	if name == "" {
		name = "Passkey"
	}
	row := passkeyRow{ID: base64.RawURLEncoding.EncodeToString(cred.ID), UserID: u.ID, Name: name, Credential: string(data), CreatedAt: s.now()}
	return row, s.store.insertPasskey(ctx, row)
}

// beginPasskeySignIn answers assertion options for any passkey of this site.
func (s *Service) beginPasskeySignIn(ctx context.Context) (string, any, error) {
	w, err := s.relyingParty()
	if err != nil {
		return "", nil, err
	}
	opts, session, err := w.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return "", nil, err
	}
	id, err := s.saveCeremony(ctx, "", ceremonySignIn, session)
	return id, opts, err
}

// finishPasskeySignIn checks the device's signature and starts a session
// for the passkey's owner.
func (s *Service) finishPasskeySignIn(ctx context.Context, ceremony string, response []byte) (TokenPair, error) {
	if err := s.checkAddress(ctx); err != nil {
		return TokenPair{}, err
	}
	w, err := s.relyingParty()
	if err != nil {
		return TokenPair{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(bytes.NewReader(response))
	if err != nil {
		return TokenPair{}, errs.InvalidField("credential", "is not a WebAuthn assertion: %s", protocolReason(err))
	}
	session, _, err := s.takeCeremony(ctx, ceremony, parsed.Response.CollectedClientData.Challenge, ceremonySignIn)
	if err != nil {
		return TokenPair{}, err
	}
	var owner passkeyUser
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		u, err := s.store.userByID(ctx, string(userHandle))
		if err != nil {
			return nil, err
		}
		pu, _, err := s.loadPasskeyUser(ctx, u)
		owner = pu
		return pu, err
	}
	cred, err := w.ValidateDiscoverableLogin(handler, session, parsed)
	if err != nil {
		s.countLogin(loginBadCredentials)
		if errors.Is(err, errs.ErrNotFound) {
			return TokenPair{}, errs.Unauthenticatedf("unknown passkey")
		}
		return TokenPair{}, errs.Unauthenticatedf("the passkey's answer was not accepted: %s", protocolReason(err))
	}
	if owner.u.Suspended {
		s.countLogin(loginSuspended)
		return TokenPair{}, errSuspended
	}
	if data, err := json.Marshal(cred); err == nil {
		if err := s.store.passkeyUse(ctx, base64.RawURLEncoding.EncodeToString(cred.ID), string(data), s.now()); err != nil {
			return TokenPair{}, err
		}
	}
	s.countLogin(loginSuccess)
	return s.startSession(withMethod(ctx, "passkey"), owner.u, true)
}

// protocolReason is the library's short reason for a refused answer.
func protocolReason(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Details != "" {
		return pe.Details
	}
	return "invalid"
}

// passkeySecondFactor checks a passkey answer given with u's password: it
// must be signed by one of u's passkeys, for a sign-in ceremony.
func (s *Service) passkeySecondFactor(ctx context.Context, u User, ceremony string, response []byte) error {
	w, err := s.relyingParty()
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(bytes.NewReader(response))
	if err != nil {
		return errSecondFactorWrong
	}
	session, _, err := s.takeCeremony(ctx, ceremony, parsed.Response.CollectedClientData.Challenge, ceremonySignIn)
	if err != nil {
		return errSecondFactorWrong
	}
	pu, _, err := s.loadPasskeyUser(ctx, u)
	if err != nil {
		return err
	}
	handler := func(_, userHandle []byte) (webauthn.User, error) {
		if string(userHandle) != u.ID {
			return nil, errs.ErrNotFound
		}
		return pu, nil
	}
	cred, err := w.ValidateDiscoverableLogin(handler, session, parsed)
	if err != nil {
		return errSecondFactorWrong
	}
	if data, err := json.Marshal(cred); err == nil {
		return s.store.passkeyUse(ctx, base64.RawURLEncoding.EncodeToString(cred.ID), string(data), s.now())
	}
	return nil
}
