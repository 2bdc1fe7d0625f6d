package identity

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// errBadCredentials is the one answer for an unknown email and a wrong
// password, so sign-in does not reveal which accounts exist.
var errBadCredentials = errs.Unauthenticatedf("email or password is wrong")

var errSuspended = errs.Forbiddenf("account suspended")

// Login results, the label values of alexandria_identity_logins_total.
const (
	loginSuccess        = "success"
	loginBadCredentials = "bad_credentials"
	loginThrottled      = "throttled"
	loginSuspended      = "suspended"
)

func (s *Service) countLogin(result string) { s.logins.WithLabelValues(result).Inc() }

// throttled answers 429 with the seconds until the window ends.
func (s *Service) throttled(ends time.Time) error {
	s.countLogin(loginThrottled)
	wait := int(math.Ceil(ends.Sub(s.now()).Seconds()))
	return &errs.Error{Kind: errs.TooManyRequests, RetryAfterSeconds: max(wait, 1),
		Message: "too many sign-in attempts; wait before trying again"}
}

// checkAddress counts one sign-in attempt from the caller's address.
func (s *Service) checkAddress(ctx context.Context) error {
	n, ends, err := s.limiter.Add(ctx, "addr:"+httpx.ClientIP(ctx), time.Minute)
	if err != nil {
		return err
	}
	if n > s.cfg.LoginRatePerAddress {
		return s.throttled(ends)
	}
	return nil
}

// login checks an email and password and starts a session. Failures are
// counted per account (known or not); once login_max_failures is reached,
// even the right password is refused until the window ends.
func (s *Service) login(ctx context.Context, rawEmail, password string) (TokenPair, error) {
	if err := s.checkAddress(ctx); err != nil {
		return TokenPair{}, err
	}
	email := strings.ToLower(strings.TrimSpace(rawEmail))
	key := "account:" + email
	fails, ends, err := s.limiter.Peek(ctx, key)
	if err != nil {
		return TokenPair{}, err
	}
	if fails >= s.cfg.LoginMaxFailures {
		return TokenPair{}, s.throttled(ends)
	}
	u, err := s.store.userByEmail(ctx, email)
	hash := u.PasswordHash
	if errors.Is(err, errs.ErrNotFound) {
		hash = s.dummyHash
	} else if err != nil {
		return TokenPair{}, err
	}
	ok, verr := verifyPassword(password, hash)
	if verr != nil {
		return TokenPair{}, verr
	}
	if !ok || u.ID == "" {
		if _, _, err := s.limiter.Add(ctx, key, s.cfg.LoginFailureWindow); err != nil {
			return TokenPair{}, err
		}
		s.countLogin(loginBadCredentials)
		return TokenPair{}, errBadCredentials
	}
	// Only someone who knows the password learns the account is suspended.
	if u.Suspended {
		s.countLogin(loginSuspended)
		return TokenPair{}, errSuspended
	}
	_ = s.limiter.Reset(ctx, key)
	pair, err := s.startSession(ctx, u)
	if err != nil {
		return TokenPair{}, err
	}
	s.countLogin(loginSuccess)
	return pair, nil
}

// exchangeAPIToken trades a personal API token for a short-lived access
// token with the token's scopes, narrowed to what the user may still do
// (an admin scope lapses when the user is no longer an admin).
func (s *Service) exchangeAPIToken(ctx context.Context, token string) (TokenPair, error) {
	if err := s.checkAddress(ctx); err != nil {
		return TokenPair{}, err
	}
	errBad := errs.Unauthenticatedf("API token is invalid, expired or revoked")
	if !strings.HasPrefix(token, apiTokenPrefix) {
		return TokenPair{}, errBad
	}
	t, u, err := s.store.useAPIToken(ctx, hashSecret(token), s.now())
	if errors.Is(err, errs.ErrNotFound) {
		s.countLogin(loginBadCredentials)
		return TokenPair{}, errBad
	}
	if err != nil {
		return TokenPair{}, err
	}
	if u.Suspended {
		s.countLogin(loginSuspended)
		return TokenPair{}, errSuspended
	}
	scopes := slices.DeleteFunc(slices.Clone(t.Scopes), func(sc string) bool {
		return sc == auth.ScopeAdmin && !u.IsAdmin()
	})
	access, err := s.signAccessToken(ctx, u, scopes)
	if err != nil {
		return TokenPair{}, err
	}
	s.countLogin(loginSuccess)
	return TokenPair{AccessToken: access, ExpiresIn: s.expiresIn()}, nil
}

// refresh spends a refresh token for a new pair (see store.rotateRefresh).
func (s *Service) refresh(ctx context.Context, token string) (TokenPair, error) {
	var secret string
	u, err := s.store.rotateRefresh(ctx, hashSecret(token), s.now(), func(u User, family string) (refreshRow, error) {
		var row refreshRow
		var err error
		secret, row, err = s.newRefreshRow(u.ID, family)
		return row, err
	})
	if err != nil {
		return TokenPair{}, err
	}
	access, err := s.signAccessToken(ctx, u, u.sessionScopes())
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, RefreshToken: secret, ExpiresIn: s.expiresIn()}, nil
}

// logout revokes the family of refreshToken (which must be the caller's),
// or every session of the caller when it is empty.
func (s *Service) logout(ctx context.Context, userID, refreshToken string) error {
	if refreshToken == "" {
		return s.store.revokeSessions(ctx, userID, s.now())
	}
	return s.store.revokeFamilyOf(ctx, userID, hashSecret(refreshToken), s.now())
}
