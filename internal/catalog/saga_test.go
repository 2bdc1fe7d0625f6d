package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// The sagas run through a real pipeline on the in-memory bus: catalog's
// relay publishes its own events, and its consumers handle them (and
// identity's, which the tests publish as identity would).

// metric sums a counter's samples whose labels include want.
func (c *api) metric(name string, want map[string]string) float64 {
	c.t.Helper()
	return testkit.Counter(c.t, c.h.Deps.Metrics.(prometheus.Gatherer), name, want)
}

// published is how many events of typ catalog has recorded, once its
// outbox has drained: the relay counts what it publishes.
func (c *api) published(typ string) int {
	c.t.Helper()
	eventually(c.t, "the outbox drains", func() bool {
		n, err := c.svc.db.NewSelect().TableExpr("outbox").Count(context.Background())
		return err == nil && n == 0
	})
	return int(c.metric("alexandria_events_published_total", map[string]string{"service": "catalog", "type": typ}))
}

// handled is how many times catalog's consumer finished an event of typ
// with result (ok, duplicate, ...).
func (c *api) handled(typ, result string) int {
	return int(c.metric("alexandria_events_handled_total", map[string]string{"consumer": "catalog", "type": typ, "result": result}))
}

// publish puts an event on the bus as its producer's relay would.
func (c *api) publish(e bus.Event) {
	c.t.Helper()
	service := map[string]string{"/alexandria/identity": "identity", "/alexandria/catalog": "catalog",
		"/alexandria/storage": "storage", "/alexandria/processing": "processing"}[e.Source]
	if err := c.h.Deps.Bus.Publisher().Publish(bus.Topic(service), e.Message()); err != nil {
		c.t.Fatal(err)
	}
}

func userDeleted(userID string) bus.Event {
	data, _ := json.Marshal(map[string]any{"id": userID, "email": userID + "@example.org", "display_name": "Gone",
		"roles": []string{"reader", "author"}, "suspended": false, "version": 3})
	return bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: eventIdentityUserDeleted, Source: "/alexandria/identity",
		Subject: "user/" + userID, Key: userID, Time: time.Now().UTC(), Data: data}
}

// state reads a resource as a moderator sees it.
func (c *api) state(path, mod string) reply {
	c.t.Helper()
	return c.expect(http.StatusOK, "GET", path, mod, nil)
}

func memberIDs(r reply) []string {
	var ids []string
	list, _ := r.body["members"].([]any)
	for _, m := range list {
		ids = append(ids, m.(map[string]any)["user_id"].(string))
	}
	slices.Sort(ids)
	return ids
}

func TestSagaUserDeleted(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, bob, carol, mod := c.user(authorRole), c.user(authorRole), c.user(readerRole), c.user(moderatorRole)
		newAuthor := func(owner, name string) string {
			return c.expect(http.StatusCreated, "POST", "/v1/authors", owner, map[string]any{"name": name}).str("id")
		}
		addMember := func(aid, owner, user, role string) {
			c.expect(http.StatusCreated, "POST", "/v1/authors/"+aid+"/members", owner, map[string]any{"user_id": user, "role": role})
		}
		newMedia := func(user, aid, status string) string {
			return c.expect(http.StatusCreated, "POST", "/v1/media", user, map[string]any{
				"title": "T", "kind": "book", "author_ids": []string{aid}, "status": status}).str("id")
		}
		// solo: alice is its only owner (carol is a plain member).
		solo := newAuthor(alice, "Solo")
		addMember(solo, alice, carol, "member")
		soloPublished, soloDraft := newMedia(alice, solo, "published"), newMedia(alice, solo, "draft")
		// shared: alice and bob both own it.
		shared := newAuthor(alice, "Shared")
		addMember(shared, alice, bob, "owner")
		sharedMedia := newMedia(bob, shared, "published")
		// bobs: bob owns it, alice is a member.
		bobs := newAuthor(bob, "Bob's")
		addMember(bobs, bob, alice, "member")

		deleted := userDeleted(alice)
		c.publish(deleted)
		eventually(t, "alice's memberships end and her solely owned author goes with its media", func() bool {
			m1, m2 := c.state("/v1/media/"+soloPublished, mod), c.state("/v1/media/"+soloDraft, mod)
			return c.state("/v1/authors/"+solo, mod).str("status") == "removed" &&
				m1.str("status") == "removed" && m1.str("removed_by") == solo &&
				m2.str("status") == "removed" && m2.str("removed_by") == solo &&
				!slices.Contains(memberIDs(c.state("/v1/authors/"+shared, mod)), alice) &&
				!slices.Contains(memberIDs(c.state("/v1/authors/"+bobs, mod)), alice)
		})
		for _, check := range []struct {
			name string
			ok   bool
		}{
			{"solo_keeps_its_other_member", slices.Equal(memberIDs(c.state("/v1/authors/"+solo, mod)), []string{carol})},
			{"co_owned_author_stays_active", c.state("/v1/authors/"+shared, mod).str("status") == "active"},
			{"co_owned_author_keeps_bob", slices.Equal(memberIDs(c.state("/v1/authors/"+shared, mod)), []string{bob})},
			{"co_owned_media_stay_published", c.state("/v1/media/"+sharedMedia, mod).str("status") == "published"},
			{"bobs_author_stays_active", c.state("/v1/authors/"+bobs, mod).str("status") == "active"},
			{"bobs_author_keeps_bob", slices.Equal(memberIDs(c.state("/v1/authors/"+bobs, mod)), []string{bob})},
		} {
			if !check.ok {
				t.Errorf("%s: failed", check.name)
			}
		}

		want := map[string]int{EventMemberRemoved: 3, EventAuthorRemoved: 1, EventMediaRemoved: 2}
		effects := func(when string) {
			t.Helper()
			for typ, n := range want {
				if got := c.published(typ); got != n {
					t.Errorf("%s: %d %s events, want %d", when, got, typ, n)
				}
			}
		}
		effects("after the deletion")

		// The same event again: the inbox knows it.
		c.publish(deleted)
		eventually(t, "the duplicate is recognised", func() bool { return c.handled(eventIdentityUserDeleted, "duplicate") == 1 })
		effects("after a duplicate")

		// The same deletion under a new event ID (as if the inbox had
		// forgotten it): nothing is left to do.
		c.publish(userDeleted(alice))
		eventually(t, "the second deletion is handled", func() bool { return c.handled(eventIdentityUserDeleted, "ok") == 2 })
		effects("after a second deletion")
	})
}

func TestSagaAuthorRemovalAndRestore(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, mod := c.user(authorRole), c.user(moderatorRole)
		a := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "A"}).str("id")
		b := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "B"}).str("id")
		newMedia := func(status string, authors ...string) string {
			return c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{
				"title": "T", "kind": "podcast", "author_ids": authors, "status": status}).str("id")
		}
		published, draft, own := newMedia("published", a), newMedia("draft", a), newMedia("published", a)
		both, onlyB := newMedia("published", a, b), newMedia("published", b)
		c.expect(http.StatusNoContent, "DELETE", "/v1/media/"+own, alice, nil)
		media := func(id string) (string, string) {
			r := c.state("/v1/media/"+id, mod)
			return r.str("status"), r.str("removed_by")
		}
		is := func(id, status, removedBy string) bool {
			s, by := media(id)
			return s == status && by == removedBy
		}

		c.expect(http.StatusNoContent, "DELETE", "/v1/authors/"+a, alice, nil)
		eventually(t, "A's media are removed with it", func() bool {
			return is(published, "removed", a) && is(draft, "removed", a) && is(both, "removed", a)
		})
		if !is(own, "removed", "") || !is(onlyB, "published", "") {
			t.Fatal("media removed on their own, or of other authors, changed")
		}

		c.expect(http.StatusNoContent, "DELETE", "/v1/authors/"+b, alice, nil)
		eventually(t, "B's media are removed with it", func() bool { return is(onlyB, "removed", b) })
		if !is(both, "removed", a) {
			t.Fatal("an item already removed with A changed cause when B was removed")
		}

		c.expect(http.StatusOK, "POST", "/v1/authors/"+a+"/restore", mod, nil)
		eventually(t, "A's media come back to the status they had", func() bool {
			return is(published, "published", "") && is(draft, "draft", "")
		})
		eventually(t, "an item of A and B stays removed, now because of B", func() bool { return is(both, "removed", b) })
		if !is(own, "removed", "") || !is(onlyB, "removed", b) {
			t.Fatal("restoring A touched media it did not remove")
		}

		c.expect(http.StatusOK, "POST", "/v1/authors/"+b+"/restore", mod, nil)
		eventually(t, "B's restore brings back its media and the shared one", func() bool {
			return is(onlyB, "published", "") && is(both, "published", "")
		})
		if !is(own, "removed", "") {
			t.Fatal("an item removed on its own came back")
		}

		// A late copy of A's removal, after A was restored: A is active, so
		// it changes nothing. A late restore of B is as harmless.
		before := c.published(EventMediaRemoved) + c.published(EventMediaRestored) + c.published(EventMediaUpdated)
		late := func(typ, id string) bus.Event {
			data, _ := json.Marshal(map[string]any{"id": id, "status": "removed"})
			return bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, Source: "/alexandria/catalog",
				Subject: "author/" + id, Key: id, Time: time.Now().UTC(), Data: data}
		}
		okRemoved, okRestored := c.handled(EventAuthorRemoved, "ok"), c.handled(EventAuthorRestored, "ok")
		c.publish(late(EventAuthorRemoved, a))
		c.publish(late(EventAuthorRestored, b))
		eventually(t, "the late events are handled", func() bool {
			return c.handled(EventAuthorRemoved, "ok") == okRemoved+1 && c.handled(EventAuthorRestored, "ok") == okRestored+1
		})
		after := c.published(EventMediaRemoved) + c.published(EventMediaRestored) + c.published(EventMediaUpdated)
		if after != before || !is(published, "published", "") || !is(both, "published", "") {
			t.Fatalf("late events had an effect: %d media events before, %d after", before, after)
		}
	})
}

// A purged author leaves nothing for a late removal event to do.
func TestSagaIgnoresPurgedAuthor(t *testing.T) {
	t.Parallel()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			c := startCatalogWith(t, s, withBrokerDown)
			id := uuid.Must(uuid.NewV7()).String()
			data, _ := json.Marshal(map[string]any{"id": id})
			err := c.svc.db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
				return c.svc.onAuthorRemoved(ctx, c.svc.store.bound(tx), bus.Event{ID: "e1", Type: EventAuthorRemoved, Data: data})
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.svc.db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
				return c.svc.onUserDeleted(ctx, c.svc.store.bound(tx), bus.Event{ID: "e2", Type: eventIdentityUserDeleted, Data: []byte(`{"id":"nope"}`)})
			}); err == nil {
				t.Fatal("a payload without a valid user id should fail (and end as a dead letter)")
			}
			(&outbox{moduletest.Outbox{T: t, DB: c.svc.db}}).expect(fmt.Sprintf("late events for purged author %s", id))
		})
	}
}

// failingRecorder refuses the n-th event it is asked to record.
type failingRecorder struct {
	Recorder
	n     int
	calls int
}

func (f *failingRecorder) Record(ctx context.Context, idb bun.IDB, typ, subject, key string, data any) error {
	if f.calls++; f.calls == f.n {
		return fmt.Errorf("refused %s", typ)
	}
	return f.Recorder.Record(ctx, idb, typ, subject, key, data)
}

// A handler that fails half-way leaves no change and no event behind: the
// changes and their events share the consumer's transaction.
func TestSagaFailureLeavesNoTrace(t *testing.T) {
	t.Parallel()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			c := startCatalogWith(t, s, withBrokerDown)
			alice, bob, mod := c.user(authorRole), c.user(authorRole), c.user(moderatorRole)
			first := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "First"}).str("id")
			second := c.expect(http.StatusCreated, "POST", "/v1/authors", bob, map[string]any{"name": "Second"}).str("id")
			c.expect(http.StatusCreated, "POST", "/v1/authors/"+second+"/members", bob, map[string]any{"user_id": alice})
			o := &outbox{moduletest.Outbox{T: t, DB: c.svc.db}}
			o.next()

			// The first author's two events go through; the second author's is refused.
			store := c.svc.store
			c.svc.store = store.WithEvents(&failingRecorder{Recorder: c.svc.events, n: 3})
			e := userDeleted(alice)
			err := c.svc.db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
				return c.svc.onUserDeleted(ctx, c.svc.store.bound(tx), e)
			})
			c.svc.store = store
			if err == nil {
				t.Fatal("the handler should fail")
			}
			o.expect("a failed handler")
			if got := c.state("/v1/authors/"+first, mod); got.str("status") != "active" || !slices.Contains(memberIDs(got), alice) {
				t.Fatalf("first author changed: %s", got.raw)
			}
			if got := c.state("/v1/authors/"+second, mod); !slices.Contains(memberIDs(got), alice) {
				t.Fatalf("second author changed: %s", got.raw)
			}
			// Retried, it completes.
			err = c.svc.db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
				return c.svc.onUserDeleted(ctx, c.svc.store.bound(tx), e)
			})
			if err != nil {
				t.Fatal(err)
			}
			o.expect("the retry", EventMemberRemoved, EventAuthorRemoved, EventMemberRemoved)
		})
	}
}
