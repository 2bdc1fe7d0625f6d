package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Second factors: a TOTP authenticator app, with one-time recovery codes
// for when the app is lost. Once a user confirms a factor, every password
// sign-in needs a code as well (the otp field). With
// require_second_factor_for_staff, a session that did not pass a second
// factor carries neither the moderator nor the admin role.

const (
	totpPeriod        = 30
	totpIssuer        = "Alexandria"
	recoveryCodeCount = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var (
	errSecondFactorRequired = &errs.Error{Kind: errs.Unauthenticated,
		Message: "this account has a second factor: send otp, a code from the authenticator app or a recovery code",
		Fields:  []errs.Field{{Name: "otp", Message: "is required for this account"}}}
	errSecondFactorWrong = &errs.Error{Kind: errs.Unauthenticated, Message: "the second factor code is wrong or was used already",
		Fields: []errs.Field{{Name: "otp", Message: "is wrong or was used already"}}}
)

// TOTPEnrollment is a new, unconfirmed TOTP secret.
type TOTPEnrollment struct {
	Secret string
	URL    string
}

// startTOTP makes a new secret for u; it counts once confirmed.
func (s *Service) startTOTP(ctx context.Context, u User) (TOTPEnrollment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: u.Email, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, SecretSize: 20})
	if err != nil {
		return TOTPEnrollment{}, err
	}
	sealed, err := s.totp.seal(u.ID, key.Secret())
	if err != nil {
		return TOTPEnrollment{}, err
	}
	if err := s.store.startTOTP(ctx, totpRow{UserID: u.ID, Secret: sealed, CreatedAt: s.now()}); err != nil {
		return TOTPEnrollment{}, err
	}
	return TOTPEnrollment{Secret: key.Secret(), URL: key.URL()}, nil
}

// confirmTOTP checks a first code against the unconfirmed secret and turns
// the factor on; it returns the recovery codes, which are shown only now.
func (s *Service) confirmTOTP(ctx context.Context, u User, code string) ([]string, error) {
	f, err := s.store.totpOf(ctx, u.ID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Conflictf("start with POST /v1/users/me/totp")
	}
	if err != nil {
		return nil, err
	}
	if f.Confirmed {
		return nil, errs.Conflictf("the second factor is already confirmed")
	}
	secret, err := s.totp.open(u.ID, f.Secret)
	if err != nil {
		return nil, err
	}
	step, ok := matchTOTP(secret, normalizeCode(code), s.now())
	if !ok {
		return nil, errs.InvalidField("code", "is wrong; check the device's clock")
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	if err := s.store.confirmTOTP(ctx, u.ID, step, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// disableTOTP removes the factor; the caller proves it with a current code
// or a recovery code.
func (s *Service) disableTOTP(ctx context.Context, u User, code string) error {
	ok, err := s.checkSecondFactor(ctx, u.ID, code)
	if err != nil {
		return err
	}
	if !ok {
		return errs.InvalidField("code", "is wrong or was used already")
	}
	return s.store.removeSecondFactor(ctx, u.ID)
}

// secondFactorStatus tells whether u has a confirmed factor and how many
// recovery codes are left.
func (s *Service) secondFactorStatus(ctx context.Context, u User) (bool, int, error) {
	f, err := s.store.totpOf(ctx, u.ID)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && !f.Confirmed) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, err
	}
	n, err := s.store.unusedRecoveryCodes(ctx, u.ID)
	return true, n, err
}

// signInSecondFactor is the second step of a password sign-in of u: it
// reports whether a second factor was passed, or the error to answer when
// the account has one and code is missing or wrong.
func (s *Service) signInSecondFactor(ctx context.Context, u User, code string) (bool, error) {
	if pk, ok := ctx.Value(passkeyFactorKey{}).(passkeyFactor); ok {
		if err := s.passkeySecondFactor(ctx, u, pk.Ceremony, pk.Credential); err != nil {
			return false, err
		}
		return true, nil
	}
	f, err := s.store.totpOf(ctx, u.ID)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && !f.Confirmed) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if strings.TrimSpace(code) == "" {
		return false, s.secondFactorRequired(ctx, u)
	}
	ok, err := s.checkSecondFactor(ctx, u.ID, code)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, errSecondFactorWrong
	}
	return true, nil
}

// secondFactorRequired is the 401 that asks for a second factor: one
// field per way this account can give one (otp: a TOTP or recovery code;
// passkey: an answer to POST /v1/auth/passkey/options, when the account has
// a passkey and passkeys are on), so a client knows what to offer.
func (s *Service) secondFactorRequired(ctx context.Context, u User) error {
	if s.webauthn == nil {
		return errSecondFactorRequired
	}
	keys, err := s.store.passkeysOf(ctx, u.ID)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return errSecondFactorRequired
	}
	return &errs.Error{Kind: errs.Unauthenticated,
		Message: "this account has a second factor: send otp (a code from the authenticator app or a recovery code) or passkey (an answer to POST /v1/auth/passkey/options)",
		Fields: []errs.Field{{Name: "otp", Message: "is required for this account, or send passkey"},
			{Name: "passkey", Message: "one of this account's passkeys may answer instead of otp"}}}
}

// checkSecondFactor accepts a TOTP code once (a code of 6 digits) or spends
// a recovery code.
func (s *Service) checkSecondFactor(ctx context.Context, userID, code string) (bool, error) {
	c := normalizeCode(code)
	if len(c) == 6 && strings.Trim(c, "0123456789") == "" {
		f, err := s.store.totpOf(ctx, userID)
		if errors.Is(err, errs.ErrNotFound) || (err == nil && !f.Confirmed) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		secret, err := s.totp.open(userID, f.Secret)
		if err != nil {
			return false, err
		}
		step, ok := matchTOTP(secret, c, s.now())
		if !ok {
			return false, nil
		}
		return s.store.acceptStep(ctx, userID, step)
	}
	if c == "" {
		return false, nil
	}
	return s.store.useRecoveryCode(ctx, userID, hashSecret(c), s.now())
}

// matchTOTP finds the time step (now, or one step either side for clock
// drift) whose code is code.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	step := now.Unix() / totpPeriod
	for _, st := range []int64{step, step - 1, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st, true
		}
	}
	return 0, false
}

// normalizeCode drops spaces and dashes and lower-cases: recovery codes
// are shown grouped, and people type them as they like.
func normalizeCode(code string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code)))
}

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRecoveryCodes returns fresh codes as shown (xxxxx-xxxxx) and the
// hashes of their normal form.
func newRecoveryCodes() ([]string, []string, error) {
	codes := make([]string, 0, recoveryCodeCount)
	hashes := make([]string, 0, recoveryCodeCount)
	for range recoveryCodeCount {
		var b [7]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, nil, err
		}
		raw := strings.ToLower(recoveryEncoding.EncodeToString(b[:]))[:10]
		codes = append(codes, raw[:5]+"-"+raw[5:])
		hashes = append(hashes, hashSecret(raw))
	}
	return codes, hashes, nil
}

// staffRoles lose their power in a session without a second factor when
// the policy requires one.
var staffRoles = []string{auth.RoleModerator, auth.RoleAdmin}

// sessionUser is u as a session's tokens present it: without the staff
// roles when the policy requires a second factor and the sign-in passed
// none.
func (s *Service) sessionUser(u User, secondFactor bool) User {
	if !s.cfg.RequireSecondFactorForStaff || secondFactor {
		return u
	}
	u.Roles = slices.DeleteFunc(slices.Clone(u.Roles), func(r string) bool { return slices.Contains(staffRoles, r) })
	return u
}

// passkeyFactor is a passkey answer sent with a password, as the second
// factor instead of otp.
type passkeyFactor struct {
	Ceremony   string          `json:"ceremony" maxLength:"36" doc:"From POST /v1/auth/passkey/begin"`
	Credential json.RawMessage `json:"credential" doc:"The device's answer, as JSON"`
}

type passkeyFactorKey struct{}

// withPasskeyFactor carries a passkey answer to the sign-in.
func withPasskeyFactor(ctx context.Context, pk *passkeyFactor) context.Context {
	if pk == nil {
		return ctx
	}
	return context.WithValue(ctx, passkeyFactorKey{}, *pk)
}
