package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

// registerStream adds the plain (non-JSON) routes: the SSE stream and the
// one-click unsubscribe link.
func (s *Service) registerStream(d module.Deps) {
	if d.Mux == nil {
		return
	}
	d.Mux.HandleFunc("GET /v1/users/me/notifications/stream", s.notificationStream)
	d.Mux.HandleFunc("GET /v1/notifications/unsubscribe", s.unsubscribePage)
	d.Mux.HandleFunc("POST /v1/notifications/unsubscribe", s.unsubscribePost)
	describeRoutes(d.API)
}

// notificationStream sends the caller's new notifications as Server-Sent
// Events, each with its ID; a client reconnecting with Last-Event-ID gets
// what it missed. Comments keep idle connections open through proxies.
func (s *Service) notificationStream(w http.ResponseWriter, r *http.Request) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, errs.Unauthenticatedf("sign in to read your notifications")))
		return
	}
	ctx := r.Context()
	last := r.Header.Get("Last-Event-ID")
	if last != "" && !domain.ValidID(last) {
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, errs.InvalidField("header.Last-Event-ID", "must be the id of a notification event")))
		return
	}
	if last == "" {
		var err error
		if last, err = s.store.latestID(ctx, p.UserID); err != nil {
			httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
			return
		}
	}
	wake, done := s.hub.subscribe(p.UserID)
	defer done()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(format string, args ...any) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.StreamHeartbeat + 30*time.Second))
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write("retry: 2000\n\n") {
		return
	}
	heartbeat := time.NewTicker(s.cfg.StreamHeartbeat)
	defer heartbeat.Stop()
	poll := time.NewTicker(s.cfg.StreamPoll)
	defer poll.Stop()
	stop := s.group.Context()
	for {
		var ok bool
		if last, ok = s.sendNew(ctx, p.UserID, last, write); !ok {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-stop.Done():
			return
		case <-s.draining:
			return
		case <-heartbeat.C:
			if !write(": keep-alive\n\n") {
				return
			}
		case <-poll.C:
		case <-wake:
		}
	}
}

// sendNew writes the notifications after last; it returns the new last ID
// and false once the client is gone.
func (s *Service) sendNew(ctx context.Context, userID, last string, write func(string, ...any) bool) (string, bool) {
	for {
		list, err := s.store.inbox(ctx, inboxQuery{UserID: userID, After: last, Limit: 100})
		if err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "notify: stream read failed", "err", err)
			}
			return last, ctx.Err() == nil
		}
		for _, n := range list {
			data, _ := json.Marshal(notificationView(n))
			if !write("id: %s\nevent: notification\ndata: %s\n\n", n.ID, data) {
				return last, false
			}
			last = n.ID
		}
		if len(list) < 100 {
			return last, true
		}
	}
}
