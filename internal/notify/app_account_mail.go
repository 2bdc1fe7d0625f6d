package notify

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Account mails: identity's e-mail verification and password reset links.
// They are transactional: sent through the mail channel as soon as the
// event arrives, whatever the user's preferences, digest or quiet hours,
// and without List-Unsubscribe. The consumer queues the mail in its
// transaction (once per event); the delivery worker sends it with the same
// lease, retry and backoff as other mails. The link holds a single-use
// secret: it is never logged, and the stored bodies are blanked once the
// mail is sent or given up on.

// Mail kinds.
const (
	kindVerify = "verify_email"
	kindReset  = "password_reset"
)

// accountMailRequest is what notify reads of identity's mail requests.
type accountMailRequest struct {
	UserID      string    `json:"user_id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	URL         string    `json:"url"`
	ExpiresAt   time.Time `json:"expires_at"`
}

func (s *Service) onAccountMail(kind string) consumer {
	return func(ctx context.Context, st *Store, e bus.Event) error {
		var r accountMailRequest
		if err := decode(e, &r, &r.UserID); err != nil {
			return err
		}
		u, err := url.Parse(r.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Query().Get("token") == "" {
			return fmt.Errorf("%s %s: payload has no usable link", e.Type, e.ID)
		}
		if r.Email == "" || strings.ContainsAny(r.Email, "\r\n") {
			return fmt.Errorf("%s %s: payload has no usable address", e.Type, e.ID)
		}
		now := s.now()
		m := renderAccountMail(kind, r)
		m.ID, m.UserID, m.Kind, m.To, m.NextAt, m.ExpiresAt, m.CreatedAt = e.ID, r.UserID, kind, r.Email, now, r.ExpiresAt, now
		if err := st.queueAccountMail(ctx, m); err != nil {
			return err
		}
		time.AfterFunc(50*time.Millisecond, s.wakeDelivery)
		return nil
	}
}

// renderAccountMail writes the subject and the text and HTML bodies.
func renderAccountMail(kind string, r accountMailRequest) accountMail {
	name := r.DisplayName
	if name == "" {
		name = r.Email
	}
	until := r.ExpiresAt.UTC().Format("2 January 2006, 15:04 MST")
	var subject, intro, action, ignore string
	switch kind {
	case kindReset:
		subject = "Reset your Alexandria password"
		intro = "Someone (we hope you) asked to reset the password of your Alexandria account."
		action = "Choose a new password"
		ignore = "If it was not you, ignore this mail: your password stays as it is."
	default:
		subject = "Confirm your e-mail address for Alexandria"
		intro = "Please confirm that this is your e-mail address for your Alexandria account."
		action = "Confirm my address"
		ignore = "If you did not create an account, ignore this mail."
	}
	text := "Hello " + name + ",\n\n" + intro + "\n\n" + action + ":\n" + r.URL + "\n\nThe link works once, until " + until + ".\n" + ignore + "\n"
	body := "<!doctype html><html><body><p>Hello " + htmlEscape(name) + ",</p><p>" + htmlEscape(intro) + "</p><p><a href=\"" +
		htmlEscape(r.URL) + "\">" + htmlEscape(action) + "</a></p><p><small>The link works once, until " + htmlEscape(until) +
		". " + htmlEscape(ignore) + "</small></p></body></html>"
	return accountMail{Subject: subject, Text: text, HTML: body}
}

// sendDueAccountMails sends up to limit due account mails and returns how
// many it tried.
func (s *Service) sendDueAccountMails(ctx context.Context, limit int) (int, error) {
	due, err := s.store.dueAccountMails(ctx, s.now(), limit)
	if err != nil {
		return 0, err
	}
	var n atomic.Int64
	// Each mail is its own group: account mails have no order to keep.
	groups := groupBy(due, func(m accountMail) string { return m.ID })
	err = inParallel(ctx, s.cfg.DeliveryWorkers, groups, func(ctx context.Context, g []accountMail) error {
		m := g[0]
		ok, err := s.store.claimAccountMail(ctx, m, s.now().Add(2*s.cfg.SendTimeout+time.Minute))
		if err != nil || !ok {
			return err
		}
		n.Add(1)
		m.Attempts++
		s.sendAccountMail(ctx, m)
		return nil
	})
	return int(n.Load()), err
}

func (s *Service) sendAccountMail(ctx context.Context, m accountMail) {
	now := s.now()
	log := s.log.With("mail_id", m.ID, "kind", m.Kind, "user_id", m.UserID)
	if !now.Before(m.ExpiresAt) {
		log.WarnContext(ctx, "notify: account mail not sent: its link expired")
		s.finishAccount(ctx, m.ID, stateExpired, "the link expired before the mail could be sent", now)
		return
	}
	sctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
	err := s.mail.Send(sctx, Mail{ID: m.ID, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	cancel()
	if err == nil {
		s.metrics.sent.WithLabelValues("account_email").Inc()
		log.InfoContext(ctx, "notify: account mail sent")
		s.finishAccount(ctx, m.ID, stateSent, "", now)
		return
	}
	s.metrics.failures.WithLabelValues("account_email").Inc()
	// The error is the mail server's; it never holds the body.
	msg := truncate(err.Error(), 500)
	if m.Attempts >= s.cfg.MaxAttempts {
		log.WarnContext(ctx, "notify: account mail failed for good", "attempts", m.Attempts, "err", err)
		s.finishAccount(ctx, m.ID, stateFailed, msg, now)
		return
	}
	delay := s.cfg.RetryBase << min(m.Attempts-1, 16)
	log.WarnContext(ctx, "notify: account mail failed, will retry", "in", delay, "err", err)
	if ferr := s.store.finishAccountMail(ctx, m.ID, statePending, msg, now.Add(delay), now); ferr != nil {
		log.ErrorContext(ctx, "notify: recording an account mail failed", "err", ferr)
	}
}

func (s *Service) finishAccount(ctx context.Context, id, state, msg string, now time.Time) {
	if err := s.store.finishAccountMail(ctx, id, state, msg, now, now); err != nil {
		s.log.ErrorContext(ctx, "notify: recording an account mail failed", "mail_id", id, "err", err)
	}
}
