package notify

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
)

// The delivery worker sends queued e-mails. A delivery is claimed (leased)
// before it is sent and marked sent after, so it goes out once per channel;
// a crash between the send and the mark repeats that one mail at most.

func (s *Service) runDelivery(poll time.Duration) func(ctx context.Context) error {
	limit := max(50, 8*s.cfg.DeliveryWorkers)
	return s.runRounds("delivery", poll, s.deliveryWake, func(ctx context.Context) (int, error) { return s.deliverDue(ctx, limit) })
}

// runRounds is a sender's loop: it works rounds back to back while they find
// work, then waits for the next tick or a wake-up. A failed round is logged
// and retried at the next tick; the loop ends with ctx.
func (s *Service) runRounds(what string, poll time.Duration, wake <-chan struct{}, round func(ctx context.Context) (int, error)) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			n, err := round(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "notify: "+what+" round failed", "err", err)
			}
			if n > 0 && err == nil {
				continue
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			case <-wake:
			}
		}
	}
}

// deliverDue sends the due account mails, then up to limit due deliveries,
// and returns how many it tried. Deliveries go out on delivery_workers
// goroutines; one user's deliveries stay on one of them, in order (a digest
// takes the user's other pending mails with it). Each is claimed (leased)
// before it is sent, so whatever the number of workers and processes, one
// delivery goes out once per channel.
func (s *Service) deliverDue(ctx context.Context, limit int) (int, error) {
	tried, err := s.sendDueAccountMails(ctx, limit)
	if err != nil {
		return tried, err
	}
	due, err := s.store.dueDeliveries(ctx, s.now(), limit)
	if err != nil {
		return tried, err
	}
	var n atomic.Int64
	err = inParallel(ctx, s.cfg.DeliveryWorkers, groupBy(due, func(d delivery) string { return d.UserID }),
		func(ctx context.Context, group []delivery) error {
			for _, d := range group {
				ok, err := s.store.claimDelivery(ctx, d, s.now().Add(2*s.cfg.SendTimeout+time.Minute))
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				n.Add(1)
				d.Attempts++
				s.sendOne(ctx, d)
			}
			return nil
		})
	return tried + int(n.Load()), err
}

func (s *Service) sendOne(ctx context.Context, d delivery) {
	now := s.now()
	set, err := s.store.settings(ctx, d.UserID)
	if err != nil {
		s.log.ErrorContext(ctx, "notify: reading settings failed", "user_id", d.UserID, "err", err)
		return // the lease expires and the delivery comes back
	}
	if quietEnd := set.QuietUntil(now); quietEnd.After(now) {
		s.hold(ctx, d, quietEnd)
		return
	}
	if d.Channel == domain.ChannelEmail && set.Digest != domain.DigestOff {
		if at := set.NextDigest(d.CreatedAt); at.After(now) {
			s.hold(ctx, d, at)
			return
		}
		s.sendDigest(ctx, d, now)
		return
	}
	if d.Channel == domain.ChannelPush || d.Channel == domain.ChannelMobile {
		sctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
		var n int
		if d.Channel == domain.ChannelPush {
			n, err = s.sendPush(sctx, d)
		} else {
			n, err = s.sendMobile(sctx, d)
		}
		cancel()
		if err == nil && n == 0 {
			s.finish(ctx, d, stateSkipped, "no push subscription or device left", now)
			return
		}
	} else {
		var to string
		to, err = s.store.userEmail(ctx, d.UserID)
		if err == nil && to == "" {
			// identity's event may still be on its way: retried like a failure.
			err = errNoAddress
		} else if err == nil {
			sctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
			err = s.mail.Send(sctx, mailFor(d, to, s.link(d.Subject), s.unsubscribeURL(d.UserID, d.Type)))
			cancel()
		}
	}
	if err == nil {
		s.metrics.sent.WithLabelValues(d.Channel).Inc()
		s.finish(ctx, d, stateSent, "", now)
		return
	}
	s.retryOrFail(ctx, d, err, now)
}

// retryOrFail records a failed attempt: pending again after a doubling
// delay, or failed for good after max_attempts.
func (s *Service) retryOrFail(ctx context.Context, d delivery, err error, now time.Time) {
	s.metrics.failures.WithLabelValues(d.Channel).Inc()
	if d.Attempts >= s.cfg.MaxAttempts {
		s.log.WarnContext(ctx, "notify: delivery failed for good", "delivery_id", d.ID, "channel", d.Channel, "attempts", d.Attempts, "err", err)
		s.finish(ctx, d, stateFailed, err.Error(), now)
		return
	}
	delay := s.cfg.RetryBase << min(d.Attempts-1, 16)
	s.log.WarnContext(ctx, "notify: delivery failed, will retry", "delivery_id", d.ID, "channel", d.Channel, "in", delay, "err", err)
	if ferr := s.store.finishDelivery(ctx, d.ID, statePending, truncate(err.Error(), 500), now.Add(delay), now); ferr != nil {
		s.log.ErrorContext(ctx, "notify: recording a delivery failed", "delivery_id", d.ID, "err", ferr)
	}
}

// hold puts a delivery back until at (quiet hours, the next digest).
func (s *Service) hold(ctx context.Context, d delivery, at time.Time) {
	if err := s.store.postpone(ctx, d.ID, at); err != nil {
		s.log.ErrorContext(ctx, "notify: postponing a delivery failed", "delivery_id", d.ID, "err", err)
	}
}

// sendDigest sends one mail with every pending e-mail of d's user that is
// due, and marks them all sent.
func (s *Service) sendDigest(ctx context.Context, d delivery, now time.Time) {
	list, err := s.store.pendingEmail(ctx, d.UserID, now, 200)
	var to string
	if err == nil {
		to, err = s.store.userEmail(ctx, d.UserID)
		if err == nil && to == "" {
			err = errNoAddress
		}
	}
	if err == nil {
		items := []delivery{d}
		for _, x := range list {
			if x.ID != d.ID {
				items = append(items, x)
			}
		}
		sctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
		err = s.mail.Send(sctx, s.digestMail(d, to, items))
		cancel()
		if err == nil {
			ids := make([]string, len(items))
			for i, x := range items {
				ids[i] = x.ID
			}
			s.metrics.sent.WithLabelValues(d.Channel).Add(float64(len(items)))
			if err := s.store.settleDigest(ctx, ids, now); err != nil {
				s.log.ErrorContext(ctx, "notify: recording a digest failed", "user_id", d.UserID, "err", err)
			}
			return
		}
	}
	s.retryOrFail(ctx, d, err, now)
}

func (s *Service) digestMail(d delivery, to string, items []delivery) Mail {
	var text, html strings.Builder
	html.WriteString("<!doctype html><html><body><ul>")
	for _, it := range items {
		link := s.link(it.Subject)
		text.WriteString("- " + it.Title + "\n  " + link + "\n")
		html.WriteString("<li><a href=\"" + htmlEscape(link) + "\">" + htmlEscape(it.Title) + "</a></li>")
	}
	unsub := s.unsubscribeURL(d.UserID, d.Type)
	text.WriteString("\n-- \nStop these e-mails: " + unsub + "\n")
	html.WriteString("</ul><hr><p><small><a href=\"" + htmlEscape(unsub) + "\">Stop these e-mails</a></small></p></body></html>")
	return Mail{ID: d.ID, To: to, Subject: fmt.Sprintf("Your Alexandria digest: %d new", len(items)), Text: text.String(),
		HTML: html.String(), Unsubscribe: unsub}
}

func (s *Service) finish(ctx context.Context, d delivery, state, msg string, now time.Time) {
	if err := s.store.finishDelivery(ctx, d.ID, state, truncate(msg, 500), now, now); err != nil {
		s.log.ErrorContext(ctx, "notify: recording a delivery failed", "delivery_id", d.ID, "err", err)
	}
}

// link is the public URL of what a notification is about.
func (s *Service) link(subject string) string {
	typ, id, _ := strings.Cut(subject, "/")
	switch typ {
	case "media":
		return s.publicURL + "/media/" + url.PathEscape(id)
	case "author":
		return s.publicURL + "/authors/" + url.PathEscape(id)
	}
	return s.publicURL + "/notifications"
}

func (s *Service) unsubscribeURL(userID, typ string) string {
	return s.publicURL + "/v1/notifications/unsubscribe?token=" + url.QueryEscape(s.unsubscribeToken(userID, typ))
}

func htmlEscape(s string) string { return html.EscapeString(s) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

var errNoAddress = errors.New("no e-mail address known for the user (yet)")
