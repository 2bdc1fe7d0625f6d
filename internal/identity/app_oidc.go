package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// OIDCSettings are the OpenID Connect providers users may sign in with.
type OIDCSettings struct {
	Providers []OIDCConfig `yaml:"providers" env:"PROVIDERS" doc:"the providers"`
}

// OIDCConfig is one OpenID Connect provider users may sign in with.
type OIDCConfig struct {
	ID             string   `yaml:"id" env:"ID" doc:"the provider's name in the sign-in URLs (/v1/auth/oidc/{id}/start): lower-case letters, digits and dashes"`
	Name           string   `yaml:"name" env:"NAME" doc:"the name sign-in buttons show; empty: the id"`
	Issuer         string   `yaml:"issuer" env:"ISSUER" doc:"the provider's issuer URL (its discovery document is at issuer/.well-known/openid-configuration)"`
	ClientID       string   `yaml:"client_id" env:"CLIENT_ID" doc:"client ID registered at the provider; ID tokens must name it as audience"`
	ClientSecret   string   `yaml:"client_secret" env:"CLIENT_SECRET" secret:"true" doc:"client secret registered at the provider"`
	RedirectURL    string   `yaml:"redirect_url" env:"REDIRECT_URL" doc:"the callback URL registered at the provider; empty: http.public_url + /v1/auth/oidc/{id}/callback"`
	Scopes         []string `yaml:"scopes" env:"SCOPES" doc:"scopes asked for besides openid"`
	RolesClaim     string   `yaml:"roles_claim" env:"ROLES_CLAIM" doc:"ID token claim (a list of strings; dots reach into objects, e.g. realm_access.roles) whose values become the user's roles at each sign-in; empty: roles are managed here"`
	RoleMapping    []string `yaml:"role_mapping" env:"ROLE_MAPPING" doc:"claim value=role pairs (e.g. library-staff=moderator); empty: the values author, moderator and admin are taken as they are"`
	AllowedDomains []string `yaml:"allowed_domains" env:"ALLOWED_DOMAINS" doc:"e-mail domains whose users may sign in with this provider (e.g. example.org); empty: any verified address"`
}

// DisplayName is what sign-in buttons show.
func (c OIDCConfig) DisplayName() string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}

// validate checks one provider; at is its option path.
func (c OIDCConfig) validate(at string, bad func(format string, args ...any)) {
	if c.ID == "" || strings.Trim(c.ID, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || len(c.ID) > 32 {
		bad("%s.id: lower-case letters, digits and dashes, 1 to 32", at)
	}
	if u, err := url.Parse(c.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("%s.issuer: must be an http(s) URL", at)
	}
	if c.ClientID == "" {
		bad("%s.client_id: required", at)
	}
	if c.RedirectURL != "" {
		if u, err := url.Parse(c.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("%s.redirect_url: must be an http(s) URL", at)
		}
	}
	for _, m := range c.RoleMapping {
		value, role, ok := strings.Cut(m, "=")
		if !ok || strings.TrimSpace(value) == "" || !slices.Contains([]string{auth.RoleAuthor, auth.RoleModerator, auth.RoleAdmin}, strings.TrimSpace(role)) {
			bad("%s.role_mapping: %q must be claim-value=role with role author, moderator or admin", at, m)
		}
	}
	if len(c.RoleMapping) > 0 && c.RolesClaim == "" {
		bad("%s.role_mapping: needs roles_claim", at)
	}
	for _, d := range c.AllowedDomains {
		if d == "" || strings.ContainsAny(d, "@/ ") || !strings.Contains(d, ".") {
			bad("%s.allowed_domains: %q is not a domain like example.org", at, d)
		}
	}
}

// mapRole turns a claim value into a role ("" when it gives none).
func (c OIDCConfig) mapRole(value string) string {
	if len(c.RoleMapping) == 0 {
		if slices.Contains([]string{auth.RoleAuthor, auth.RoleModerator, auth.RoleAdmin}, value) {
			return value
		}
		return ""
	}
	for _, m := range c.RoleMapping {
		v, role, _ := strings.Cut(m, "=")
		if strings.TrimSpace(v) == value {
			return strings.TrimSpace(role)
		}
	}
	return ""
}

// allows tells whether email's domain may sign in with the provider.
func (c OIDCConfig) allows(email string) bool {
	if len(c.AllowedDomains) == 0 {
		return true
	}
	_, domain, ok := strings.Cut(email, "@")
	return ok && slices.ContainsFunc(c.AllowedDomains, func(d string) bool { return strings.EqualFold(d, domain) })
}

const (
	oidcLoginTTL = 10 * time.Minute
	oidcPath     = "/v1/auth/oidc/"

	responseBrowser = "browser"
	responseJSON    = "json"
)

// oidcProvider is a configured provider, discovered on first use.
type oidcProvider struct {
	cfg    OIDCConfig
	client *http.Client

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func (p *oidcProvider) discover(ctx context.Context, publicURL string) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.oauth != nil {
		return p.oauth, p.verifier, nil
	}
	dctx := oidc.ClientContext(ctx, p.client)
	prov, err := oidc.NewProvider(dctx, p.cfg.Issuer)
	if err != nil {
		return nil, nil, errs.Wrap(errs.Unavailable, err, "the sign-in provider cannot be reached")
	}
	redirect := p.cfg.RedirectURL
	if redirect == "" {
		redirect = strings.TrimRight(publicURL, "/") + oidcPath + p.cfg.ID + "/callback"
	}
	p.oauth = &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: prov.Endpoint(),
		RedirectURL: redirect, Scopes: append([]string{oidc.ScopeOpenID}, p.cfg.Scopes...)}
	p.verifier = prov.Verifier(&oidc.Config{ClientID: p.cfg.ClientID})
	return p.oauth, p.verifier, nil
}

func (s *Service) provider(name string) (*oidcProvider, error) {
	p, ok := s.oidc[name]
	if !ok {
		return nil, errs.NotFoundf("no such sign-in provider")
	}
	return p, nil
}

// oidcStart begins a sign-in (or, with linkUser, the linking of the
// provider to that signed-in user) and returns the provider's URL to send
// the browser to.
func (s *Service) oidcStart(ctx context.Context, name, linkUser, response string) (string, error) {
	p, err := s.provider(name)
	if err != nil {
		return "", err
	}
	oc, _, err := p.discover(ctx, s.publicURL)
	if err != nil {
		return "", err
	}
	state, verifier, nonce := rand.Text(), oauth2.GenerateVerifier(), rand.Text()
	if err := s.store.insertOIDCLogin(ctx, oidcLoginRow{State: state, Provider: name, Verifier: verifier, Nonce: nonce,
		LinkUserID: linkUser, Response: response, CreatedAt: s.now()}); err != nil {
		return "", err
	}
	return oc.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), nil
}

// oidcClaims are what Alexandria reads from an ID token.
type oidcClaims struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Roles         []string
	mapped        bool
}

// oidcCallback completes a sign-in: the state must be one this service
// issued and not used, the code is exchanged with its PKCE verifier, and
// the ID token must be signed by the provider, name this client as its
// audience, be unexpired and carry the nonce. It answers a session for the
// linked or just-created account, or, when linking, links and answers a
// session for the linking user; and how the sign-in asked to end
// (responseBrowser or responseJSON; "" when the state is unknown).
func (s *Service) oidcCallback(ctx context.Context, name, state, code, providerError string) (TokenPair, string, error) {
	p, err := s.provider(name)
	if err != nil {
		return TokenPair{}, "", err
	}
	if state == "" {
		return TokenPair{}, "", errOIDCState
	}
	login, err := s.store.takeOIDCLogin(ctx, name, state, s.now().Add(-oidcLoginTTL))
	if err != nil {
		return TokenPair{}, "", err
	}
	pair, err := s.oidcFinish(ctx, p, login, code, providerError)
	return pair, login.Response, err
}

func (s *Service) oidcFinish(ctx context.Context, p *oidcProvider, login oidcLoginRow, code, providerError string) (TokenPair, error) {
	name := p.cfg.ID
	if providerError != "" {
		return TokenPair{}, errs.Unauthenticatedf("the provider refused the sign-in: %s", providerError)
	}
	if code == "" {
		return TokenPair{}, errs.InvalidField("code", "is required")
	}
	oc, verifier, err := p.discover(ctx, s.publicURL)
	if err != nil {
		return TokenPair{}, err
	}
	xctx := oidc.ClientContext(ctx, p.client)
	tok, err := oc.Exchange(xctx, code, oauth2.VerifierOption(login.Verifier))
	if err != nil {
		s.log.InfoContext(ctx, "oidc code exchange failed", "provider", name, "error", err)
		return TokenPair{}, errs.Unauthenticatedf("the provider did not accept the sign-in code (used, expired or not issued for this client)")
	}
	raw, _ := tok.Extra("id_token").(string)
	claims, err := s.verifyIDToken(xctx, p, verifier, raw, login.Nonce)
	if err != nil {
		return TokenPair{}, err
	}
	if login.LinkUserID != "" {
		return s.oidcLink(ctx, name, login.LinkUserID, claims)
	}
	if len(p.cfg.AllowedDomains) > 0 && (!claims.EmailVerified || !p.cfg.allows(claims.Email)) {
		s.log.InfoContext(ctx, "oidc sign-in refused: address outside the allowed domains", "provider", name)
		return TokenPair{}, errs.Forbiddenf("this provider signs in only verified addresses of %s", strings.Join(p.cfg.AllowedDomains, ", "))
	}
	return s.oidcSignIn(ctx, name, claims)
}

// verifyIDToken checks raw and reads its claims.
func (s *Service) verifyIDToken(ctx context.Context, p *oidcProvider, v *oidc.IDTokenVerifier, raw, nonce string) (oidcClaims, error) {
	if raw == "" {
		return oidcClaims{}, errs.Unauthenticatedf("the provider sent no ID token")
	}
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return oidcClaims{}, errs.Unauthenticatedf("the provider's ID token has expired; start again")
		}
		return oidcClaims{}, errs.Unauthenticatedf("the provider's ID token is not valid for this service (%s)", oidcReason(err))
	}
	if idt.Nonce != nonce {
		return oidcClaims{}, errs.Unauthenticatedf("the provider's ID token is not for this sign-in (nonce)")
	}
	var all map[string]any
	if err := idt.Claims(&all); err != nil {
		return oidcClaims{}, errs.Unauthenticatedf("the provider's ID token cannot be read")
	}
	c := oidcClaims{Subject: idt.Subject}
	c.Email, _ = all["email"].(string)
	c.EmailVerified, _ = all["email_verified"].(bool)
	c.Name, _ = all["name"].(string)
	if c.Name == "" {
		c.Name, _ = all["preferred_username"].(string)
	}
	if p.cfg.RolesClaim != "" {
		c.mapped = true
		var cur any = all
		for _, part := range strings.Split(p.cfg.RolesClaim, ".") {
			m, _ := cur.(map[string]any)
			cur = m[part]
		}
		list, _ := cur.([]any)
		for _, r := range list {
			if v, ok := r.(string); ok {
				if role := p.cfg.mapRole(v); role != "" && !slices.Contains(c.Roles, role) {
					c.Roles = append(c.Roles, role)
				}
			}
		}
	}
	return c, nil
}

func oidcReason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "audience"):
		return "audience"
	case strings.Contains(msg, "issuer"):
		return "issuer"
	case strings.Contains(msg, "signature"):
		return "signature"
	}
	return "invalid"
}

// oidcSignIn signs in the account linked to the provider's subject, or
// creates one. An account that already uses the address is never taken
// over: its owner signs in with the password and links the provider.
func (s *Service) oidcSignIn(ctx context.Context, provider string, c oidcClaims) (TokenPair, error) {
	id, err := s.store.oidcUser(ctx, provider, c.Subject)
	var u User
	switch {
	case errors.Is(err, errs.ErrNotFound):
		u, err = s.oidcCreate(ctx, provider, c)
		if err != nil {
			return TokenPair{}, err
		}
	case err != nil:
		return TokenPair{}, err
	default:
		if u, err = s.store.userByID(ctx, id); err != nil {
			return TokenPair{}, err
		}
		if u, err = s.syncOIDCRoles(ctx, u, c); err != nil {
			return TokenPair{}, err
		}
	}
	if u.Suspended {
		s.countLogin(loginSuspended)
		return TokenPair{}, errSuspended
	}
	s.countLogin(loginSuccess)
	return s.startSession(withMethod(ctx, "oidc:"+provider), u, false)
}

func (s *Service) oidcCreate(ctx context.Context, provider string, c oidcClaims) (User, error) {
	email, reason := normalizeEmail(c.Email)
	if reason != "" || !c.EmailVerified {
		return User{}, errs.Forbiddenf("the provider did not vouch for an email address (email, email_verified); an account needs one")
	}
	if _, err := s.store.userByEmail(ctx, email); err == nil {
		return User{}, errs.Conflictf("an account with this email exists: sign in to it with its password, then link this provider from it (GET %s%s/start with your access token and link=true)", oidcPath, provider)
	}
	name, nreason := normalizeDisplayName(c.Name)
	if nreason != "" {
		name, _ = normalizeDisplayName(strings.SplitN(email, "@", 2)[0])
	}
	// The account has no usable password: a random one nobody knows.
	hash, err := s.hashPassword(ctx, rand.Text()+rand.Text())
	if err != nil {
		return User{}, err
	}
	now := ts(s.now())
	roles := []string{auth.RoleReader}
	if c.mapped {
		roles = append(roles, c.Roles...)
	}
	roles, _ = normalizeRolesForOIDC(roles)
	u := User{ID: uuid.Must(uuid.NewV7()).String(), Email: email, DisplayName: name, PasswordHash: hash,
		Roles: roles, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.store.createOIDCUser(ctx, u, oidcIdentityRow{Provider: provider, Subject: c.Subject, UserID: u.ID, CreatedAt: now}); err != nil {
		return User{}, err
	}
	return u, nil
}

// syncOIDCRoles makes u's roles those the provider's claim gives, when a
// roles claim is configured.
func (s *Service) syncOIDCRoles(ctx context.Context, u User, c oidcClaims) (User, error) {
	if !c.mapped {
		return u, nil
	}
	want, _ := normalizeRolesForOIDC(append([]string{auth.RoleReader}, c.Roles...))
	if slices.Equal(want, u.Roles) {
		return u, nil
	}
	return s.store.updateUser(ctx, u.ID, 0, s.now(), func(x *User) error {
		x.Roles = want
		return nil
	})
}

// oidcLink links the provider's subject to the signed-in user who started
// the flow: they proved the account here (their access token) and the
// account at the provider (this sign-in).
func (s *Service) oidcLink(ctx context.Context, provider, userID string, c oidcClaims) (TokenPair, error) {
	u, err := s.store.userByID(ctx, userID)
	if err != nil {
		return TokenPair{}, err
	}
	if u.Suspended {
		return TokenPair{}, errSuspended
	}
	if err := s.store.linkOIDC(ctx, oidcIdentityRow{Provider: provider, Subject: c.Subject, UserID: u.ID, CreatedAt: s.now()}); err != nil {
		return TokenPair{}, err
	}
	return s.startSession(withMethod(ctx, "oidc:"+provider), u, false)
}

func normalizeRolesForOIDC(roles []string) ([]string, error) {
	out := []string{}
	for _, r := range auth.AllRoles {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no roles")
	}
	return out, nil
}

var errPasswordsDisabled = errs.Forbiddenf("passwords are disabled here: sign in with the provider (GET /v1/auth/oidc/{provider}/start)")
