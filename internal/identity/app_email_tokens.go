package identity

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// E-mail verification and password reset. Both mail the account's address
// a link with a single-use token: 32 random bytes (base64url), of which
// identity keeps only the SHA-256, bound to its purpose, the account and the
// address it went to, and good until its TTL (email_verify_ttl,
// password_reset_ttl). Identity does not send mail: it records a mail
// request (events.go) in the transaction that stores the token, and notify
// sends it. The token travels in that event's url (notify must be able to
// mail it) and is never logged by either side; see docs/events.md.

// Verification mails an account may ask for per hour.
const verificationsPerHour = 5

// tokenError is a token that cannot be used: Gone (410) for one that was
// good once (expired, spent), else 400. The handlers name the field.
type tokenError struct {
	Gone   bool
	Reason string
}

func (e *tokenError) Error() string { return "token " + e.Reason }

var errTokenUnknown = &tokenError{Reason: "is not valid"}

// mailLink is the web app's page for a token: /verify-email or
// /reset-password on the public URL.
func (s *Service) mailLink(page, token string) string {
	return strings.TrimRight(s.mailBase, "/") + page + "?token=" + url.QueryEscape(token)
}

// newMailToken makes a token of purpose for u and the event that mails it;
// it returns the token's row and event (the secret is only in the event's URL).
func (s *Service) newMailToken(u User, purpose string) (*mailToken, error) {
	secret, hash, err := newSecret()
	if err != nil {
		return nil, err
	}
	now := ts(s.now())
	ttl, page, typ := s.cfg.EmailVerifyTTL, "/verify-email", EventVerificationRequested
	if purpose == purposeReset {
		ttl, page, typ = s.cfg.PasswordResetTTL, "/reset-password", EventPasswordResetRequested
	}
	row := emailTokenRow{TokenHash: hash, UserID: u.ID, Purpose: purpose, Email: u.Email, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	return &mailToken{Row: row, EventType: typ, Payload: emailTokenV1{UserID: u.ID, Email: u.Email, DisplayName: u.DisplayName,
		URL: s.mailLink(page, secret), ExpiresAt: row.ExpiresAt.UTC()}}, nil
}

// requestVerification (re)sends the verification mail of the caller's
// account; nothing is sent for an address already verified. At most
// verificationsPerHour per account.
func (s *Service) requestVerification(ctx context.Context, u User) error {
	if u.EmailVerified {
		s.log.InfoContext(ctx, "verification mail not sent: the address is verified", slog.String("user_id", u.ID))
		return nil
	}
	n, ends, err := s.limiter.Add(ctx, "verifymail:"+u.ID, time.Hour)
	if err != nil {
		return err
	}
	if n > verificationsPerHour {
		return &errs.Error{Kind: errs.TooManyRequests, RetryAfterSeconds: retryAfter(ends, s.now()),
			Message: "too many verification mails; wait before asking again"}
	}
	tok, err := s.newMailToken(u, purposeVerify)
	if err != nil {
		return err
	}
	if err := s.store.issueMailToken(ctx, *tok); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "verification mail requested", slog.String("user_id", u.ID))
	return nil
}

// checkToken finds a token of purpose that can still be spent.
func (s *Service) checkToken(ctx context.Context, token, purpose string) (emailTokenRow, error) {
	if token == "" || len(token) > 200 {
		return emailTokenRow{}, errTokenUnknown
	}
	t, err := s.store.emailToken(ctx, hashSecret(token))
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return t, errTokenUnknown
	case err != nil:
		return t, err
	case t.Purpose != purpose:
		// A reset token is no verification token and the other way round.
		return t, &tokenError{Reason: "is not valid for this purpose"}
	case t.UsedAt != nil:
		return t, errTokenSpent
	case !s.now().Before(t.ExpiresAt):
		return t, &tokenError{Gone: true, Reason: "has expired; ask for a new link"}
	}
	return t, nil
}

// verifyEmail spends a verification token of the caller's account.
func (s *Service) verifyEmail(ctx context.Context, u User, token string) (User, error) {
	t, err := s.checkToken(ctx, token, purposeVerify)
	if err != nil {
		return User{}, err
	}
	if t.UserID != u.ID {
		// Another account's link: say no more than for a wrong token.
		return User{}, errTokenUnknown
	}
	out, err := s.store.verifyEmail(ctx, t, s.now())
	if err != nil {
		return User{}, err
	}
	s.log.InfoContext(ctx, "email address verified", slog.String("user_id", u.ID))
	return out, nil
}

// requestPasswordReset mails a reset link to the account with rawEmail,
// if there is one. The answer is the same whether there is or not: only an
// unreadable address (422) or too many requests from the client's address
// (429) are refused. Each address gets at most password_reset_per_account
// mails an hour; further requests are dropped silently.
func (s *Service) requestPasswordReset(ctx context.Context, rawEmail string) error {
	if s.cfg.DisablePasswords {
		return errPasswordsDisabled
	}
	n, ends, err := s.limiter.Add(ctx, "pwreset:"+s.clientAddr(ctx), time.Hour)
	if err != nil {
		return err
	}
	if n > s.cfg.PasswordResetRatePerAddress {
		return &errs.Error{Kind: errs.TooManyRequests, RetryAfterSeconds: retryAfter(ends, s.now()),
			Message: "too many password reset requests from your address; wait before trying again"}
	}
	email, reason := normalizeEmail(rawEmail)
	if reason != "" {
		return errs.InvalidField("email", "%s", reason)
	}
	// Counted per address asked for, whether an account has it or not, so
	// that the count says nothing either.
	n, _, err = s.limiter.Add(ctx, "pwreset-account:"+email, time.Hour)
	if err != nil {
		return err
	}
	if n > s.cfg.PasswordResetPerAccount {
		s.log.WarnContext(ctx, "password reset dropped: too many for the address this hour")
		return nil
	}
	u, err := s.store.userByEmail(ctx, email)
	if errors.Is(err, errs.ErrNotFound) {
		s.log.InfoContext(ctx, "password reset for an unknown address: nothing sent")
		return nil
	}
	if err != nil {
		return err
	}
	if u.Suspended {
		s.log.InfoContext(ctx, "password reset for a suspended account: nothing sent", slog.String("user_id", u.ID))
		return nil
	}
	tok, err := s.newMailToken(u, purposeReset)
	if err != nil {
		return err
	}
	if err := s.store.issueMailToken(ctx, *tok); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "password reset mail requested", slog.String("user_id", u.ID))
	return nil
}

// confirmPasswordReset spends a reset token and sets the new password (the
// sign-up policy applies); every session of the account ends.
func (s *Service) confirmPasswordReset(ctx context.Context, token, password string) error {
	if s.cfg.DisablePasswords {
		return errPasswordsDisabled
	}
	t, err := s.checkToken(ctx, token, purposeReset)
	if err != nil {
		return err
	}
	if reason := s.policy.Check(password, t.Email); reason != "" {
		return errs.InvalidField("new_password", "%s", reason)
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	if err := s.store.resetPassword(ctx, t, hash, s.now()); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "password reset: password set, sessions ended", slog.String("user_id", t.UserID))
	return nil
}
