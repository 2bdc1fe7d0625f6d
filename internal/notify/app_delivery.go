package notify

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
)

// The delivery worker sends queued e-mails. A delivery is claimed (leased)
// before it is sent and marked sent after, so it goes out once per channel;
// a crash between the send and the mark repeats that one mail at most.

func (s *Service) runDelivery(poll time.Duration) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			n, err := s.deliverDue(ctx, 50)
			if err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "notify: delivery round failed", "err", err)
			}
			if n > 0 && err == nil {
				continue
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			case <-s.deliveryWake:
			}
		}
	}
}

// deliverDue sends up to limit due deliveries and returns how many it tried.
func (s *Service) deliverDue(ctx context.Context, limit int) (int, error) {
	due, err := s.store.dueDeliveries(ctx, s.now(), limit)
	if err != nil {
		return 0, err
	}
	tried := 0
	for _, d := range due {
		ok, err := s.store.claimDelivery(ctx, d, s.now().Add(2*s.cfg.SendTimeout+time.Minute))
		if err != nil {
			return tried, err
		}
		if !ok {
			continue
		}
		tried++
		d.Attempts++
		s.sendOne(ctx, d)
	}
	return tried, nil
}

func (s *Service) sendOne(ctx context.Context, d delivery) {
	now := s.now()
	var err error
	if d.Channel == domain.ChannelPush {
		sctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
		var n int
		n, err = s.sendPush(sctx, d)
		cancel()
		if err == nil && n == 0 {
			s.finish(ctx, d, stateSkipped, "no push subscription left", now)
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

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

var errNoAddress = errors.New("no e-mail address known for the user (yet)")
