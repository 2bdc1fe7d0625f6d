package notify

import (
	"context"
	"time"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
)

// The fan-out worker: a published item's followers get it in their inboxes
// one page (one transaction) at a time, so a large audience never holds one
// giant transaction and notifications written by consumers meanwhile are
// not held up. A page and its cursor commit together and every insert is
// keyed by (user, item): a crash repeats at most one page, which then adds
// nothing.

func (s *Service) runFanout(batch int, poll time.Duration) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			worked, err := s.fanoutPage(ctx, batch)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				s.log.ErrorContext(ctx, "notify: fan-out page failed", "err", err)
			}
			if worked && err == nil {
				continue
			}
			if s.cfg.FanoutDelay > 0 && s.cfg.FanoutDelay < poll {
				t.Reset(s.cfg.FanoutDelay)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			case <-s.fanoutWake:
			}
		}
	}
}

// fanoutPage works one page of the oldest unfinished fan-out; it reports
// whether there was one.
func (s *Service) fanoutPage(ctx context.Context, batch int) (bool, error) {
	var added []domain.Notification
	worked := false
	err := s.store.Tx(ctx, func(st *Store) error {
		added = nil
		job, err := st.nextFanout(ctx, s.now().Add(-s.cfg.FanoutDelay))
		if err != nil || job == nil {
			return err
		}
		worked = true
		users, err := st.followersPage(ctx, job.MediaID, job.Cursor, batch)
		if err != nil {
			return err
		}
		now := s.now()
		list := make([]domain.Notification, len(users))
		for i, u := range users {
			list[i] = domain.NewMedia(u, job.MediaID, job.Title, now)
		}
		if added, err = s.deliver(ctx, st, list); err != nil {
			return err
		}
		cursor := job.Cursor
		if len(users) > 0 {
			cursor = users[len(users)-1]
		}
		done := len(users) < batch
		if err := st.advanceFanout(ctx, job.ID, cursor, int64(len(added)), done, now); err != nil {
			return err
		}
		if done {
			s.log.InfoContext(ctx, "notify: fan-out finished", "media_id", job.MediaID, "notifications", job.Inserted+int64(len(added)))
		}
		return nil
	})
	if err != nil {
		return worked, err
	}
	s.metrics.fanoutRows.Add(float64(len(added)))
	s.hub.wake(added)
	s.wakeDelivery()
	return worked, nil
}

func (s *Service) wakeFanout() {
	select {
	case s.fanoutWake <- struct{}{}:
	default:
	}
}

func (s *Service) wakeDelivery() {
	select {
	case s.deliveryWake <- struct{}{}:
	default:
	}
}
