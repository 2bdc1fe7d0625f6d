package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// The application layer: the commands and queries handlers, consumers and
// workers call.

// hub wakes the open streams of users who got something new.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

func newHub() *hub { return &hub{subs: map[string]map[chan struct{}]struct{}{}} }

func (h *hub) subscribe(userID string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[userID] == nil {
		h.subs[userID] = map[chan struct{}]struct{}{}
	}
	h.subs[userID][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[userID], ch)
		if len(h.subs[userID]) == 0 {
			delete(h.subs, userID)
		}
		h.mu.Unlock()
	}
}

func (h *hub) wake(users []domain.Notification) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range users {
		for ch := range h.subs[n.UserID] {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

func (h *hub) streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range h.subs {
		n += len(m)
	}
	return n
}

// deliver writes notifications into inboxes and queues their e-mails for
// the users whose preferences want them; it returns those that were new.
func (s *Service) deliver(ctx context.Context, st *Store, list []domain.Notification) ([]domain.Notification, error) {
	added, err := st.insertNotifications(ctx, list)
	if err != nil || len(added) == 0 {
		return added, err
	}
	byType := map[string][]domain.Notification{}
	for _, n := range added {
		byType[n.Type] = append(byType[n.Type], n)
	}
	for typ, ns := range byType {
		users := make([]string, len(ns))
		for i, n := range ns {
			users[i] = n.UserID
		}
		prefs, err := st.preferences(ctx, users, typ)
		if err != nil {
			return nil, err
		}
		var ids, to []string
		for _, n := range ns {
			if domain.Enabled(prefs[n.UserID], typ, domain.ChannelEmail) {
				ids, to = append(ids, n.ID), append(to, n.UserID)
			}
		}
		if err := st.queueDeliveries(ctx, domain.ChannelEmail, ids, to, s.now()); err != nil {
			return nil, err
		}
		for _, ch := range []struct {
			name string
			on   bool
			has  func(context.Context, []string) (map[string]bool, error)
		}{{domain.ChannelPush, s.pushEnabled(), st.withPush}, {domain.ChannelMobile, s.mobile != nil, st.withDevices}} {
			if !ch.on {
				continue
			}
			reachable, err := ch.has(ctx, users)
			if err != nil {
				return nil, err
			}
			ids, to = nil, nil
			for _, n := range ns {
				if reachable[n.UserID] && domain.Enabled(prefs[n.UserID], typ, ch.name) {
					ids, to = append(ids, n.ID), append(to, n.UserID)
				}
			}
			if err := st.queueDeliveries(ctx, ch.name, ids, to, s.now()); err != nil {
				return nil, err
			}
		}
	}
	s.metrics.created.Add(float64(len(added)))
	return added, nil
}

// notifyMembers notifies the members of an item's authors (processing).
func (s *Service) notifyMediaMembers(ctx context.Context, st *Store, mediaID string, build func(userID, title string) domain.Notification) error {
	users, err := st.mediaMembers(ctx, mediaID)
	if err != nil || len(users) == 0 {
		return err
	}
	title, err := st.mediaTitle(ctx, mediaID)
	if err != nil {
		return err
	}
	list := make([]domain.Notification, len(users))
	for i, u := range users {
		list[i] = build(u, title)
	}
	added, err := s.deliver(ctx, st, list)
	s.afterCommit(added)
	return err
}

// afterCommit wakes streams a little later, once the consumer's transaction
// has committed (the streams poll too, so a slow commit is only late).
func (s *Service) afterCommit(added []domain.Notification) {
	if len(added) == 0 {
		return
	}
	time.AfterFunc(50*time.Millisecond, func() { s.hub.wake(added) })
}

// inbox pages through a user's notifications.
func (s *Service) inbox(ctx context.Context, q inboxQuery) ([]domain.Notification, error) {
	if q.Before != "" && !domain.ValidID(q.Before) {
		return nil, errs.InvalidField("query.page_token", "not a page token of this list")
	}
	return s.store.inbox(ctx, q)
}

func (s *Service) markRead(ctx context.Context, userID, id string) error {
	if !domain.ValidID(id) {
		return errs.NotFoundf("no such notification")
	}
	err := s.store.markRead(ctx, userID, id, s.now())
	if errors.Is(err, errNoNotification) {
		return errs.NotFoundf("no such notification")
	}
	return err
}

func (s *Service) preferences(ctx context.Context, userID string) ([]domain.Preference, error) {
	m, err := s.store.preferences(ctx, []string{userID}, "")
	if err != nil {
		return nil, err
	}
	out := make([]domain.Preference, 0, len(domain.Types)*len(domain.Channels))
	for _, t := range domain.Types {
		for _, c := range domain.Channels {
			out = append(out, domain.Preference{Type: t, Channel: c, Enabled: domain.Enabled(m[userID], t, c)})
		}
	}
	return out, nil
}

func (s *Service) putPreferences(ctx context.Context, userID string, prefs []domain.Preference, set domain.Settings) ([]domain.Preference, error) {
	seen := map[[2]string]bool{}
	for i, p := range prefs {
		if err := domain.CheckPreference(p); err != nil {
			return nil, errs.InvalidField("body.preferences["+itoa(i)+"]", "%s", err.Error())
		}
		if seen[[2]string{p.Type, p.Channel}] {
			return nil, errs.InvalidField("body.preferences["+itoa(i)+"]", "type and channel named twice")
		}
		seen[[2]string{p.Type, p.Channel}] = true
	}
	if err := s.store.Tx(ctx, func(st *Store) error {
		if err := st.putSettings(ctx, userID, set); err != nil {
			return err
		}
		return st.putPreferences(ctx, userID, prefs)
	}); err != nil {
		return nil, err
	}
	return s.preferences(ctx, userID)
}

// ---- one-click unsubscribe (RFC 8058) ----

// unsubscribeToken signs "user.type" for the user's link.
func (s *Service) unsubscribeToken(userID, typ string) string {
	payload := userID + "." + typ
	mac := hmac.New(sha256.New, s.unsubKey)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// parseUnsubscribeToken returns the user and notification type a token
// made by unsubscribeToken names; any other string is an Invalid error on
// query.token.
func (s *Service) parseUnsubscribeToken(token string) (userID, typ string, err error) {
	bad := errs.InvalidField("query.token", "not a valid unsubscribe link")
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", "", bad
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return "", "", bad
	}
	mac := hmac.New(sha256.New, s.unsubKey)
	mac.Write(payload)
	if !hmac.Equal(mac.Sum(nil), got) {
		return "", "", bad
	}
	userID, typ, ok = strings.Cut(string(payload), ".")
	if !ok || !domain.ValidID(userID) || domain.CheckPreference(domain.Preference{Type: typ, Channel: domain.ChannelEmail}) != nil {
		return "", "", bad
	}
	return userID, typ, nil
}

// unsubscribe turns e-mail off for the type a valid token names.
func (s *Service) unsubscribe(ctx context.Context, token string) error {
	userID, typ, err := s.parseUnsubscribeToken(token)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, func(st *Store) error {
		m, err := st.preferences(ctx, []string{userID}, "")
		if err != nil {
			return err
		}
		prefs := []domain.Preference{{Type: typ, Channel: domain.ChannelEmail, Enabled: false}}
		for _, p := range m[userID] {
			if p.Type != typ || p.Channel != domain.ChannelEmail {
				prefs = append(prefs, p)
			}
		}
		return st.putPreferences(ctx, userID, prefs)
	})
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
