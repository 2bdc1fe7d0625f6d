package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/alexandria-platform/alexandria/internal/notify/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// The consumers: decode only the fields notify reads, then call the app
// layer in the pipeline's transaction (which also marks the event handled).

func (s *Service) handleEvents(p *events.Pipeline) {
	engagement, catalog, processing, identity := bus.Topic("engagement"), bus.Topic("catalog"), bus.Topic("processing"), bus.Topic("identity")
	p.Handle(engagement, eventFollowCreated, events.Bind(s.store.bound, s.onFollow(true)))
	p.Handle(engagement, eventFollowDeleted, events.Bind(s.store.bound, s.onFollow(false)))
	p.Handle(engagement, eventReportResolved, events.Bind(s.store.bound, s.onReportResolved))
	for _, typ := range []string{eventMediaCreated, eventMediaUpdated, eventMediaPublished, eventMediaRemoved, eventMediaRestored} {
		p.Handle(catalog, typ, events.Bind(s.store.bound, s.onMedia))
	}
	p.Handle(catalog, eventMediaDeleted, events.Bind(s.store.bound, s.onMediaDeleted))
	p.Handle(catalog, eventAuthorDeleted, events.Bind(s.store.bound, s.onAuthorDeleted))
	p.Handle(catalog, eventMemberAdded, events.Bind(s.store.bound, s.onMember(true)))
	p.Handle(catalog, eventMemberRemoved, events.Bind(s.store.bound, s.onMember(false)))
	p.Handle(processing, eventMediaProcessed, events.Bind(s.store.bound, s.onProcessing(true)))
	p.Handle(processing, eventMediaFailed, events.Bind(s.store.bound, s.onProcessing(false)))
	p.Handle(identity, eventUserRegistered, events.Bind(s.store.bound, s.onUser))
	p.Handle(identity, eventUserUpdated, events.Bind(s.store.bound, s.onUser))
	p.Handle(identity, eventUserDeleted, events.Bind(s.store.bound, s.onUserDeleted))
	p.Handle(identity, eventVerificationRequested, events.Bind(s.store.bound, s.onAccountMail(kindVerify)))
	p.Handle(identity, eventPasswordResetRequested, events.Bind(s.store.bound, s.onAccountMail(kindReset)))
}

// consumer works through the repository bound to the pipeline's
// transaction (events.Bind).
type consumer func(ctx context.Context, st *Store, e bus.Event) error

func decode(e bus.Event, v any, ids ...*string) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	for _, id := range ids {
		if !domain.ValidID(*id) {
			return fmt.Errorf("%s %s: payload has no valid id", e.Type, e.ID)
		}
	}
	return nil
}

func (s *Service) onFollow(add bool) consumer {
	return func(ctx context.Context, st *Store, e bus.Event) error {
		var f struct {
			UserID     string `json:"user_id"`
			TargetType string `json:"target_type"`
			TargetID   string `json:"target_id"`
		}
		if err := decode(e, &f, &f.UserID); err != nil {
			return err
		}
		return st.applyFollow(ctx, f.UserID, f.TargetType, f.TargetID, add)
	}
}

func (s *Service) onMedia(ctx context.Context, st *Store, e bus.Event) error {
	var m struct {
		ID          string   `json:"id"`
		Title       string   `json:"title"`
		Kind        string   `json:"kind"`
		Status      string   `json:"status"`
		AuthorIDs   []string `json:"author_ids"`
		CategoryIDs []string `json:"category_ids"`
		Tags        []string `json:"tags"`
		Version     int64    `json:"version"`
	}
	if err := decode(e, &m, &m.ID); err != nil {
		return err
	}
	if err := st.applyMedia(ctx, m.ID, m.Title, m.Kind, m.Version, mediaRefs{Authors: m.AuthorIDs, Categories: m.CategoryIDs, Tags: m.Tags}); err != nil {
		return err
	}
	if e.Type != eventMediaPublished || m.Status != "published" {
		return nil
	}
	if err := st.enqueueFanout(ctx, m.ID, m.Title, s.now()); err != nil {
		return err
	}
	if err := s.queueWebhooks(ctx, st, m.AuthorIDs, domain.TypeNewMedia, "published:"+m.ID,
		map[string]any{"media_id": m.ID, "title": m.Title, "kind": m.Kind, "author_ids": m.AuthorIDs}); err != nil {
		return err
	}
	time.AfterFunc(s.cfg.FanoutDelay+50*time.Millisecond, s.wakeFanout)
	return nil
}

func (s *Service) onMediaDeleted(ctx context.Context, st *Store, e bus.Event) error {
	var m struct {
		ID string `json:"id"`
	}
	if err := decode(e, &m, &m.ID); err != nil {
		return err
	}
	return st.forgetMedia(ctx, m.ID)
}

func (s *Service) onAuthorDeleted(ctx context.Context, st *Store, e bus.Event) error {
	var a struct {
		ID string `json:"id"`
	}
	if err := decode(e, &a, &a.ID); err != nil {
		return err
	}
	return st.forgetAuthor(ctx, a.ID)
}

func (s *Service) onMember(add bool) consumer {
	return func(ctx context.Context, st *Store, e bus.Event) error {
		var m struct {
			AuthorID string `json:"author_id"`
			UserID   string `json:"user_id"`
			Role     string `json:"role"`
		}
		if err := decode(e, &m, &m.AuthorID, &m.UserID); err != nil {
			return err
		}
		if err := st.applyMember(ctx, m.AuthorID, m.UserID, add); err != nil || !add {
			return err
		}
		members, err := st.authorMembers(ctx, m.AuthorID)
		if err != nil {
			return err
		}
		list := make([]domain.Notification, len(members))
		for i, u := range members {
			list[i] = domain.MemberAdded(u, m.AuthorID, m.UserID, m.Role, e.ID, s.now())
		}
		added, err := s.deliver(ctx, st, list)
		s.afterCommit(added)
		if err != nil {
			return err
		}
		return s.queueWebhooks(ctx, st, []string{m.AuthorID}, domain.TypeMemberAdded, "member:"+e.ID,
			map[string]any{"author_id": m.AuthorID, "user_id": m.UserID, "role": m.Role})
	}
}

func (s *Service) onProcessing(ok bool) consumer {
	return func(ctx context.Context, st *Store, e bus.Event) error {
		var p struct {
			MediaID string `json:"media_id"`
			Reason  string `json:"reason"`
		}
		if err := decode(e, &p, &p.MediaID); err != nil {
			return err
		}
		if err := s.notifyMediaMembers(ctx, st, p.MediaID, func(userID, title string) domain.Notification {
			return domain.Processed(userID, p.MediaID, title, p.Reason, ok, e.ID, s.now())
		}); err != nil {
			return err
		}
		authors, err := st.mediaAuthors(ctx, p.MediaID)
		if err != nil {
			return err
		}
		typ, data := domain.TypeProcessingDone, map[string]any{"media_id": p.MediaID}
		if !ok {
			typ, data["reason"] = domain.TypeProcessingFailed, p.Reason
		}
		return s.queueWebhooks(ctx, st, authors, typ, "processing:"+e.ID, data)
	}
}

func (s *Service) onReportResolved(ctx context.Context, st *Store, e bus.Event) error {
	var r struct {
		TargetType string `json:"target_type"`
		TargetID   string `json:"target_id"`
		Action     string `json:"action"`
	}
	if err := decode(e, &r, &r.TargetID); err != nil {
		return err
	}
	var users, authors []string
	var err error
	switch r.TargetType {
	case "media":
		if users, err = st.mediaMembers(ctx, r.TargetID); err == nil {
			authors, err = st.mediaAuthors(ctx, r.TargetID)
		}
	case "author":
		authors = []string{r.TargetID}
		users, err = st.authorMembers(ctx, r.TargetID)
	default:
		return nil // a report on a user concerns no author's members
	}
	if err != nil {
		return err
	}
	if err := s.queueWebhooks(ctx, st, authors, domain.TypeReportResolved, "report:"+e.ID,
		map[string]any{"target_type": r.TargetType, "target_id": r.TargetID, "action": r.Action}); err != nil {
		return err
	}
	if len(users) == 0 {
		return nil
	}
	list := make([]domain.Notification, len(users))
	for i, u := range users {
		list[i] = domain.ReportResolved(u, r.TargetType, r.TargetID, r.Action, e.ID, s.now())
	}
	added, err := s.deliver(ctx, st, list)
	s.afterCommit(added)
	return err
}

func (s *Service) onUser(ctx context.Context, st *Store, e bus.Event) error {
	var u struct {
		ID          string `json:"id"`
		Email       string `json:"email"`
		DisplayName string `json:"display_name"`
		Version     int64  `json:"version"`
	}
	if err := decode(e, &u, &u.ID); err != nil {
		return err
	}
	return st.applyUser(ctx, u.ID, u.Email, u.DisplayName, u.Version)
}

func (s *Service) onUserDeleted(ctx context.Context, st *Store, e bus.Event) error {
	var u struct {
		ID string `json:"id"`
	}
	if err := decode(e, &u, &u.ID); err != nil {
		return err
	}
	return st.eraseUser(ctx, u.ID)
}
