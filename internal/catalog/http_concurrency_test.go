package catalog

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
)

// concurrently sends the requests at once and returns the replies in order.
func (c *api) concurrently(reqs ...func() reply) []reply {
	out := make([]reply, len(reqs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Go(func() {
			<-start
			out[i] = req()
		})
	}
	close(start)
	wg.Wait()
	return out
}

// TestConcurrentPatchesWithoutIfMatch: a PATCH that sends no If-Match asked
// for no precondition, so losing a race with another writer is retried, not
// answered 412.
func TestConcurrentPatchesWithoutIfMatch(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, mod := c.user(authorRole), c.user(moderatorRole)
		aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Busy"}).str("id")
		mid := c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}}).str("id")
		cid := c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": "Busy"}).str("id")
		for _, target := range []struct{ path, user, field string }{
			{"/v1/authors/" + aid, alice, "bio"},
			{"/v1/media/" + mid, alice, "description"},
			{"/v1/categories/" + cid, mod, "description"},
		} {
			before := c.expect(http.StatusOK, "GET", target.path, target.user, nil).body["version"].(float64)
			for round := range 5 {
				const writers = 3 // at most maxAttempts can lose to each other in turn
				reqs := make([]func() reply, writers)
				for i := range reqs {
					reqs[i] = func() reply {
						return c.call("PATCH", target.path, target.user, map[string]any{target.field: fmt.Sprintf("round %d writer %d", round, i)})
					}
				}
				for i, r := range c.concurrently(reqs...) {
					if r.status != http.StatusOK {
						t.Fatalf("%s round %d writer %d: %d %s", target.path, round, i, r.status, r.raw)
					}
				}
			}
			after := c.expect(http.StatusOK, "GET", target.path, target.user, nil).body["version"].(float64)
			if after != before+15 {
				t.Fatalf("%s: version %v after 15 writes from %v", target.path, after, before)
			}
		}
		// A stale If-Match still fails.
		c.expect(http.StatusPreconditionFailed, "PATCH", "/v1/authors/"+aid, alice, map[string]any{"bio": "stale"}, "If-Match", `"1"`)
	})
}

// TestConcurrentCategoryMovesMakeNoCycle races moves of two categories
// under each other: at most one may win, and the tree stays a tree.
func TestConcurrentCategoryMovesMakeNoCycle(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		mod := c.user(moderatorRole)
		for round := range 8 {
			x := c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": fmt.Sprintf("X %d", round)}).str("id")
			y := c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": fmt.Sprintf("Y %d", round)}).str("id")
			replies := c.concurrently(
				func() reply { return c.call("PATCH", "/v1/categories/"+x, mod, map[string]any{"parent_id": y}) },
				func() reply { return c.call("PATCH", "/v1/categories/"+y, mod, map[string]any{"parent_id": x}) },
			)
			var statuses []int
			for _, r := range replies {
				statuses = append(statuses, r.status)
			}
			slices.Sort(statuses)
			if !slices.Equal(statuses, []int{http.StatusOK, http.StatusConflict}) {
				t.Fatalf("round %d: statuses %v, want one move and one 409", round, statuses)
			}
			for _, id := range []string{x, y} {
				anc, err := c.svc.store.Ancestors(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				if len(anc) > 2 {
					t.Fatalf("round %d: %s has ancestors %v: a cycle", round, id, anc)
				}
			}
		}
		// Creating under a parent while it is removed: one of the two loses.
		for round := range 5 {
			p := c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": fmt.Sprintf("P %d", round)}).str("id")
			replies := c.concurrently(
				func() reply { return c.call("DELETE", "/v1/categories/"+p, mod, nil) },
				func() reply {
					return c.call("POST", "/v1/categories", mod, map[string]any{"name": fmt.Sprintf("Child %d", round), "parent_id": p})
				},
			)
			if replies[0].status == http.StatusNoContent && replies[1].status == http.StatusCreated {
				t.Fatalf("round %d: a child was created under a category removed at the same time", round)
			}
		}
	})
}
