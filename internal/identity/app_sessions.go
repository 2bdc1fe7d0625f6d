package identity

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
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

// failureBucket is one counter of failed password checks and its limit.
type failureBucket struct {
	key   string
	limit int
}

// failureBuckets are the counters a password check for email spends.
// From a device trusted by the account (device.go): that device's own
// bucket only. From anywhere else: the account and client address pair
// (login_max_failures, so that someone guessing from one address does not
// slow the owner elsewhere) and the account across every address
// (login_max_failures_per_account, a higher ceiling that stops guessing
// spread over many addresses).
func (s *Service) failureBuckets(ctx context.Context, email, device string) []failureBucket {
	if device != "" {
		return []failureBucket{{"fail:device:" + device, s.cfg.LoginMaxFailures}}
	}
	return []failureBucket{
		{"fail:" + email + "|" + s.clientAddr(ctx), s.cfg.LoginMaxFailures},
		{"fail:" + email, s.cfg.LoginMaxFailuresPerAccount},
	}
}

// reserveFailures counts one failed check in each bucket before the
// password is hashed, so that concurrent attempts cannot all pass a check
// of the count and be hashed together: of N simultaneous attempts, at most
// limit get a slot. When a bucket is full, every slot taken is given back
// and the answer is 429. The caller calls release when the password turns
// out to be right (a success is not a failure); a wrong one keeps its slot.
func (s *Service) reserveFailures(ctx context.Context, buckets []failureBucket) (release func(), err error) {
	var taken []string
	release = func() {
		for _, key := range taken {
			_ = s.limiter.Release(ctx, key)
		}
	}
	for _, b := range buckets {
		n, ends, err := s.limiter.Add(ctx, b.key, s.cfg.LoginFailureWindow)
		if err != nil {
			release()
			return nil, err
		}
		taken = append(taken, b.key)
		if n > b.limit {
			release()
			return nil, s.throttled(ends)
		}
	}
	return release, nil
}

// login checks an email and password and starts a session. Failures are
// counted before the check (see failureBuckets and reserveFailures); once
// a limit is reached, even the right password is refused until the window
// ends, except from a device the account trusts. deviceToken is the
// caller's device token, if any; the answer carries one for the device.
func (s *Service) login(ctx context.Context, rawEmail, password, deviceToken, otpCode string) (TokenPair, error) {
	if s.cfg.DisablePasswords {
		return TokenPair{}, errPasswordsDisabled
	}
	if err := s.checkAddress(ctx); err != nil {
		return TokenPair{}, err
	}
	email, reason := normalizeEmail(rawEmail)
	var (
		u   User
		err error
	)
	if reason == "" {
		u, err = s.store.userByEmail(ctx, email)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return TokenPair{}, err
		}
	} else {
		// No account has such an address (registration refuses it): a
		// wrong credential like any other, counted under what was sent.
		email = strings.ToLower(strings.TrimSpace(rawEmail))
	}
	device := s.trustedDevice(ctx, deviceToken, u.ID)
	release, err := s.reserveFailures(ctx, s.failureBuckets(ctx, email, device))
	if err != nil {
		return TokenPair{}, err
	}
	if reason != "" {
		s.countLogin(loginBadCredentials)
		return TokenPair{}, errBadCredentials
	}
	hash := u.PasswordHash
	if u.ID == "" {
		hash = s.dummyHash
	}
	ok, verr := s.verifyPassword(ctx, password, hash)
	if verr != nil {
		release()
		return TokenPair{}, verr
	}
	if !ok || u.ID == "" {
		s.countLogin(loginBadCredentials)
		return TokenPair{}, errBadCredentials
	}
	// A wrong second factor counts as a failed sign-in; a missing one
	// (the first step of a two-step sign-in) does not.
	secondFactor, err := s.signInSecondFactor(ctx, u, otpCode)
	if errors.Is(err, errSecondFactorRequired) {
		release()
		return TokenPair{}, err
	}
	if err != nil {
		if errs.KindOf(err) == errs.Unauthenticated {
			s.countLogin(loginBadCredentials)
		} else {
			release()
		}
		return TokenPair{}, err
	}
	release()
	// Only someone who knows the password learns the account is suspended.
	if u.Suspended {
		s.countLogin(loginSuspended)
		return TokenPair{}, errSuspended
	}
	_ = s.limiter.Reset(ctx, s.failureBuckets(ctx, email, device)[0].key)
	pair, err := s.startSession(ctx, u, secondFactor)
	if err != nil {
		return TokenPair{}, err
	}
	pair.DeviceToken = deviceToken
	if device == "" {
		if pair.DeviceToken, err = s.issueDeviceToken(ctx, u.ID); err != nil {
			return TokenPair{}, err
		}
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
	access, err := s.signAccessToken(ctx, u, scopes, "")
	if err != nil {
		return TokenPair{}, err
	}
	s.countLogin(loginSuccess)
	return TokenPair{AccessToken: access, ExpiresIn: s.expiresIn()}, nil
}

// refresh spends a refresh token for a new pair (see store.rotateRefresh).
func (s *Service) refresh(ctx context.Context, token string) (TokenPair, error) {
	var secret, session string
	u, err := s.store.rotateRefresh(ctx, hashSecret(token), s.now(), s.cfg.RefreshReuseGrace, func(u User, family string) (refreshRow, error) {
		var row refreshRow
		var err error
		session = family
		secret, row, err = s.newRefreshRow(u.ID, family)
		return row, err
	})
	if err != nil {
		return TokenPair{}, err
	}
	if s.cfg.RequireSecondFactorForStaff {
		passed, err := s.store.sessionSecondFactor(ctx, session)
		if err != nil {
			return TokenPair{}, err
		}
		u = s.sessionUser(u, passed)
	}
	access, err := s.signAccessToken(ctx, u, u.SessionScopes(), session)
	if err != nil {
		return TokenPair{}, err
	}
	// The session list shows the last refresh; the refresh itself is done.
	if err := s.store.touchSession(ctx, session, deviceOf(ctx), s.clientAddr(ctx), s.now()); err != nil {
		s.log.WarnContext(ctx, "recording a session's use failed", "error", err)
	}
	return TokenPair{AccessToken: access, RefreshToken: secret, ExpiresIn: s.expiresIn()}, nil
}

// logout ends sessions. With a refresh token, its session (family) ends:
// the caller's own when signed in (someone else's is NotFound), or, without
// an access token, whoever's it is, since holding the token proves the
// session. Without a refresh token, every session of the signed-in caller
// ends; an anonymous caller without one is Unauthenticated. A signed-in
// caller must hold a session's access token: a token exchanged for a
// personal API token (perhaps a read-only one given to a script) may not
// end the user's sessions.
func (s *Service) logout(ctx context.Context, signedIn bool, refreshToken string) error {
	if !signedIn {
		if refreshToken == "" {
			return errs.Unauthenticatedf("send the refresh token of the session to end, or an access token to end all of yours")
		}
		return s.store.revokeFamilyOfToken(ctx, hashSecret(refreshToken), s.now())
	}
	if p, _ := auth.FromContext(ctx); p.SessionID == "" {
		return errs.Forbiddenf("signing out needs a session's access token; a token exchanged for a personal API token cannot end sessions")
	}
	caller, _, err := s.caller(ctx)
	if err != nil {
		return err
	}
	if refreshToken != "" {
		return s.store.revokeFamilyOf(ctx, caller.UserID, hashSecret(refreshToken), s.now())
	}
	return s.store.revokeSessions(ctx, caller.UserID, s.now())
}
