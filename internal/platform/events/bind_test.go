package events_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// effectsRepo is a repository of the effects table, as a service's store
// would be: it runs its SQL on whatever it is bound to.
type effectsRepo struct{ idb bun.IDB }

func (r effectsRepo) add(ctx context.Context, eventID, note string) error {
	_, err := r.idb.NewRaw("INSERT INTO effects (event_id, note) VALUES (?, ?)", eventID, note).Exec(ctx)
	return err
}

// A consumer made with Bind works through a repository bound to the
// pipeline's transaction: what it writes commits or rolls back together
// with the event's inbox entry. Its first attempt writes and then fails;
// exactly one effect afterwards shows that the failed attempt's write was
// rolled back (else two) and that its inbox entry was too (else the retry
// would be skipped as a duplicate: none).
func TestBoundConsumerSharesTheInboxTransaction(t *testing.T) {
	t.Parallel()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, s, bus.NewMemory(nil), "bound")
			var attempts atomic.Int32
			f.pipe.Handle(f.pipe.Topic(), "test.bound.v1", events.Bind(
				func(idb bun.IDB) effectsRepo { return effectsRepo{idb: idb} },
				func(ctx context.Context, r effectsRepo, e bus.Event) error {
					if err := r.add(ctx, e.ID, "bound"); err != nil {
						return err
					}
					if attempts.Add(1) == 1 {
						return errors.New("the first attempt fails after writing")
					}
					return nil
				}))
			if err := f.pipe.Start(); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := f.record(ctx, "test.bound.v1", 1, false); err != nil {
				t.Fatal(err)
			}
			// The effect appears when an attempt commits; the event is then
			// acknowledged and no attempt follows.
			eventually(t, "a committed attempt", func() bool { return f.count("note = ?", "bound") >= 1 })
			if n := f.count("note = ?", "bound"); n != 1 || attempts.Load() != 2 {
				t.Fatalf("%d effects after %d attempts, want 1 after 2", n, attempts.Load())
			}
		})
	}
}
