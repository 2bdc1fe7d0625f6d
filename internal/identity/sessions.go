package identity

import (
	"context"
	"errors"
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
	return &errs.Error{Kind: errs.TooManyRequests, RetryAfterSeconds: retryAfter(ends, s.now()),
		Message: "too many sign-in attempts; wait before trying again"}
}

// checkAddress counts one sign-in attempt from the caller's address.
func (s *Service) checkAddress(ctx context.Context) error {
	n, ends, err := s.limiter.Add(ctx, "addr:"+s.clientAddr(ctx), time.Minute)
	if err != nil {
		return err
	}
	if n > s.cfg.LoginRatePerAddress {
		return s.throttled(ends)
	}
	return nil
}

// failureKeys are the counters of failed password checks for an account:
// per account and client address (login_max_failures, so that someone
// guessing from one address cannot lock the owner out everywhere), and per
// account across every address (login_max_failures_per_account, a much
// higher ceiling that stops guessing spread over many addresses).
func (s *Service) failureKeys(ctx context.Context, email string) (pair, account string) {
	return "fail:" + email + "|" + s.clientAddr(ctx), "fail:" + email
}

// checkFailures refuses a password check for email while either failure
// counter is at its limit.
func (s *Service) checkFailures(ctx context.Context, email string) error {
	pair, account := s.failureKeys(ctx, email)
	for _, c := range []struct {
		key   string
		limit int
	}{{pair, s.cfg.LoginMaxFailures}, {account, s.cfg.LoginMaxFailuresPerAccount}} {
		n, ends, err := s.limiter.Peek(ctx, c.key)
		if err != nil {
			return err
		}
		if n >= c.limit {
			return s.throttled(ends)
		}
	}
	return nil
}

// countFailure counts one wrong password for email.
func (s *Service) countFailure(ctx context.Context, email string) error {
	pair, account := s.failureKeys(ctx, email)
	for _, key := range []string{pair, account} {
		if _, _, err := s.limiter.Add(ctx, key, s.cfg.LoginFailureWindow); err != nil {
			return err
		}
	}
	return nil
}

// login checks an email and password and starts a session. Failures are
// counted per account (known or not, see failureKeys); once a limit is
// reached, even the right password is refused until the window ends.
func (s *Service) login(ctx context.Context, rawEmail, password string) (TokenPair, error) {
	if err := s.checkAddress(ctx); err != nil {
		return TokenPair{}, err
	}
	email := strings.ToLower(strings.TrimSpace(rawEmail))
	if err := s.checkFailures(ctx, email); err != nil {
		return TokenPair{}, err
	}
	// No account has such an email (registration refuses it), and NUL
	// cannot even be sent to PostgreSQL: a wrong credential like any other.
	if httpx.TextProblem(email, false) != "" {
		if err := s.countFailure(ctx, email); err != nil {
			return TokenPair{}, err
		}
		s.countLogin(loginBadCredentials)
		return TokenPair{}, errBadCredentials
	}
	u, err := s.store.userByEmail(ctx, email)
	hash := u.PasswordHash
	if errors.Is(err, errs.ErrNotFound) {
		hash = s.dummyHash
	} else if err != nil {
		return TokenPair{}, err
	}
	ok, verr := s.verifyPassword(ctx, password, hash)
	if verr != nil {
		return TokenPair{}, verr
	}
	if !ok || u.ID == "" {
		if err := s.countFailure(ctx, email); err != nil {
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
	pair, _ := s.failureKeys(ctx, email)
	_ = s.limiter.Reset(ctx, pair)
	pairTokens, err := s.startSession(ctx, u)
	if err != nil {
		return TokenPair{}, err
	}
	s.countLogin(loginSuccess)
	return pairTokens, nil
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
	u, err := s.store.rotateRefresh(ctx, hashSecret(token), s.now(), s.cfg.RefreshReuseGrace, func(u User, family string) (refreshRow, error) {
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

// logout ends sessions. With a refresh token, its session (family) ends:
// the caller's own when signed in (someone else's is NotFound), or, without
// an access token, whoever's it is, since holding the token proves the
// session. Without a refresh token, every session of the signed-in caller
// ends; an anonymous caller without one is Unauthenticated.
func (s *Service) logout(ctx context.Context, caller auth.Principal, signedIn bool, refreshToken string) error {
	switch {
	case refreshToken != "" && signedIn:
		return s.store.revokeFamilyOf(ctx, caller.UserID, hashSecret(refreshToken), s.now())
	case refreshToken != "":
		return s.store.revokeFamilyOfToken(ctx, hashSecret(refreshToken), s.now())
	case signedIn:
		return s.store.revokeSessions(ctx, caller.UserID, s.now())
	}
	return errs.Unauthenticatedf("send the refresh token of the session to end, or an access token to end all of yours")
}
