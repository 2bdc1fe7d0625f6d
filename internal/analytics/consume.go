package analytics

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Sources names, per topic, every event type the lake records; the shell
// fills it from catalog's and engagement's catalogues.
type Sources map[string][]string

// The consumers: decode only the fields analytics reads, then call the app
// layer in the pipeline's transaction (which also marks the event handled,
// so each event counts once).

// consumer is a handler that works through the repository bound to the
// pipeline's transaction (events.Bind).
type consumer func(ctx context.Context, st *Store, e bus.Event) error

func (s *Service) handleEvents(p *events.Pipeline, sources Sources) {
	specific := map[string]map[string]consumer{"catalog": {}, "engagement": {}}
	for _, typ := range []string{eventMediaCreated, eventMediaUpdated, eventMediaPublished, eventMediaRemoved, eventMediaRestored} {
		specific["catalog"][typ] = s.onMedia
	}
	specific["catalog"][eventMediaDeleted] = s.onMediaDeleted
	specific["catalog"][eventMemberAdded] = s.onMember(true)
	specific["catalog"][eventMemberRemoved] = s.onMember(false)
	for _, typ := range []string{eventViewRecorded, eventLikeCreated, eventLikeDeleted, eventProgressUpdated, eventFollowCreated} {
		specific["engagement"][typ] = s.onEngagement
	}
	for topic, types := range sources {
		for _, typ := range types {
			if _, ok := specific[topic]; !ok {
				specific[topic] = map[string]consumer{}
			}
			if _, ok := specific[topic][typ]; !ok {
				specific[topic][typ] = nil
			}
		}
	}
	p.Handle(bus.Topic("identity"), eventUserDeleted, events.Bind(s.store.bound, s.onUserDeleted))
	for topic, handlers := range specific {
		for typ, h := range handlers {
			p.Handle(bus.Topic(topic), typ, s.withLake(h))
		}
	}
}

// withLake stages the event for the lake in the handler's transaction,
// then applies h (when not nil).
func (s *Service) withLake(h consumer) events.Handler {
	return events.Bind(s.store.bound, func(ctx context.Context, st *Store, e bus.Event) error {
		if err := st.stageLake(ctx, e); err != nil {
			return err
		}
		if s.stream != nil && isEngagement(e.Type) {
			body, err := streamBody(e)
			if err != nil {
				return err
			}
			if err := st.stageStream(ctx, e.ID, e.Key, body); err != nil {
				return err
			}
		}
		s.metrics.consumed.WithLabelValues(e.Type).Inc()
		if h == nil {
			return nil
		}
		return h(ctx, st, e)
	})
}

func decode(e bus.Event, v any) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("%s %s: unreadable payload: %w", e.Type, e.ID, err)
	}
	return nil
}

func validID(ids ...string) bool {
	for _, id := range ids {
		if _, err := uuid.Parse(id); err != nil {
			return false
		}
	}
	return true
}

// catalogMedia is the part of catalog's media payload analytics reads.
type catalogMedia struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	Language    string   `json:"language"`
	Status      string   `json:"status"`
	AuthorIDs   []string `json:"author_ids"`
	CategoryIDs []string `json:"category_ids"`
	Version     int64    `json:"version"`
}

func (s *Service) onMedia(ctx context.Context, st *Store, e bus.Event) error {
	var m catalogMedia
	if err := decode(e, &m); err != nil {
		return err
	}
	if !validID(m.ID) || !validID(m.AuthorIDs...) || !validID(m.CategoryIDs...) {
		return fmt.Errorf("%s %s: invalid IDs in payload", e.Type, e.ID)
	}
	return st.applyMedia(ctx, Media{ID: m.ID, Kind: m.Kind, Language: m.Language, Status: m.Status,
		CategoryIDs: joinIDs(m.CategoryIDs), Version: m.Version}, m.AuthorIDs)
}

func (s *Service) onMediaDeleted(ctx context.Context, st *Store, e bus.Event) error {
	var m struct {
		ID string `json:"id"`
	}
	if err := decode(e, &m); err != nil {
		return err
	}
	if !validID(m.ID) {
		return fmt.Errorf("%s %s: invalid id", e.Type, e.ID)
	}
	return st.forgetMedia(ctx, m.ID)
}

func (s *Service) onMember(member bool) consumer {
	return func(ctx context.Context, st *Store, e bus.Event) error {
		var m struct {
			AuthorID string `json:"author_id"`
			UserID   string `json:"user_id"`
		}
		if err := decode(e, &m); err != nil {
			return err
		}
		if !validID(m.AuthorID, m.UserID) {
			return fmt.Errorf("%s %s: invalid IDs", e.Type, e.ID)
		}
		return st.setMember(ctx, m.AuthorID, m.UserID, member)
	}
}

// engagementPayload is the union of the engagement payload fields read.
type engagementPayload struct {
	UserID        string `json:"user_id"`
	MediaID       string `json:"media_id"`
	Views         int64  `json:"views"`
	UniqueViewers int64  `json:"unique_viewers"`
	State         string `json:"state"`
	TargetType    string `json:"target_type"`
	TargetID      string `json:"target_id"`
}

func (s *Service) onEngagement(ctx context.Context, st *Store, e bus.Event) error {
	var p engagementPayload
	if err := decode(e, &p); err != nil {
		return err
	}
	at := e.Time
	if at.IsZero() {
		at = s.now()
	}
	switch e.Type {
	case eventViewRecorded:
		if !validID(p.MediaID) || p.Views < 0 || p.UniqueViewers < 0 {
			return fmt.Errorf("%s %s: invalid payload", e.Type, e.ID)
		}
		return s.engage(ctx, st, engagement{kind: engageView, mediaID: p.MediaID, n: p.Views, unique: p.UniqueViewers, at: at})
	case eventLikeCreated, eventLikeDeleted:
		if !validID(p.MediaID) {
			return fmt.Errorf("%s %s: invalid media_id", e.Type, e.ID)
		}
		n := int64(1)
		if e.Type == eventLikeDeleted {
			n = -1
		}
		return s.engage(ctx, st, engagement{kind: engageLike, mediaID: p.MediaID, n: n, at: at})
	case eventProgressUpdated:
		if p.State != "finished" {
			return nil
		}
		if !validID(p.MediaID, p.UserID) {
			return fmt.Errorf("%s %s: invalid IDs", e.Type, e.ID)
		}
		return s.engage(ctx, st, engagement{kind: engageCompletion, mediaID: p.MediaID, userID: p.UserID, n: 1, at: at})
	case eventFollowCreated:
		if p.TargetType != "author" {
			return nil
		}
		if !validID(p.TargetID) {
			return fmt.Errorf("%s %s: invalid target_id", e.Type, e.ID)
		}
		return s.engage(ctx, st, engagement{kind: engageFollow, authorID: p.TargetID, n: 1, at: at})
	}
	return nil
}

func (s *Service) onUserDeleted(ctx context.Context, st *Store, e bus.Event) error {
	var u struct {
		ID string `json:"id"`
	}
	if err := decode(e, &u); err != nil {
		return err
	}
	if !validID(u.ID) {
		return fmt.Errorf("%s %s: invalid id", e.Type, e.ID)
	}
	return st.eraseUser(ctx, u.ID)
}
