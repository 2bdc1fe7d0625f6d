package catalog

import (
	"context"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// Consumers that keep the read cache (read_cache.go) of the replica that
// receives them true: the replica that made a change dropped its own cache
// when the change committed; the catalog's own events tell the others.
// Dropping is idempotent, so a redelivered event (or the replica's own)
// does no harm.

// readCacheEvents are the catalog's events that only the read cache
// consumes; the author-removal saga's consumers drop it too (saga.go).
var readCacheEvents = []string{
	EventAuthorCreated, EventAuthorUpdated, EventAuthorDeleted,
	EventMemberAdded, EventMemberUpdated, EventMemberRemoved,
	EventMediaCreated, EventMediaUpdated, EventMediaPublished, EventMediaRemoved, EventMediaRestored, EventMediaDeleted,
	EventCategoryCreated, EventCategoryUpdated, EventCategoryRemoved, EventCategoryRestored, EventCategoryDeleted,
}

func (s *Service) handleReadCacheEvents(p *events.Pipeline) {
	if s.reads == nil {
		return
	}
	for _, typ := range readCacheEvents {
		p.Handle(p.Topic(), typ, s.bind(s.droppingReads(func(context.Context, *Store, bus.Event) error { return nil })))
	}
}

// droppingReads makes apply, a consumer of the catalog's own events, also
// drop what the event's subject may have changed in the read cache, once
// its transaction has committed.
func (s *Service) droppingReads(apply func(ctx context.Context, st *Store, e bus.Event) error) func(ctx context.Context, st *Store, e bus.Event) error {
	if s.reads == nil {
		return apply
	}
	return func(ctx context.Context, st *Store, e bus.Event) error {
		if err := apply(ctx, st, e); err != nil {
			return err
		}
		subject := e.Subject
		events.AfterCommit(ctx, func() { s.reads.forgetSubject(subject) })
		return nil
	}
}

// The read cache's consumers, for the event catalogue.
var _ = func() bool {
	for _, typ := range readCacheEvents {
		Consumes = append(Consumes, events.Consumer{Type: typ,
			Effect: "Drops the read cache's answers the change may affect on the replica that receives it (the item and every list page for a media event, everything otherwise); nothing is written."})
	}
	return true
}()
