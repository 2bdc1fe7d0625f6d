package identity

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// TestConcurrentPatchesWithoutIfMatch: without If-Match no precondition was
// asked for, so concurrent edits all apply; only a stale If-Match is 412.
func TestConcurrentPatchesWithoutIfMatch(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			admin := e.adminToken()
			id := e.register("olga@example.org", "Olga")
			olga, _ := e.login("olga@example.org", goodPassword)
			const writers = 6
			statuses := make([]int, writers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range writers {
				wg.Go(func() {
					<-start
					if i%2 == 0 {
						statuses[i] = e.call("PATCH", "/v1/users/me", olga, map[string]any{"display_name": fmt.Sprintf("Olga %d", i)}).status
					} else {
						statuses[i] = e.call("PATCH", "/v1/users/"+id, admin, map[string]any{"display_name": fmt.Sprintf("O %d", i)}).status
					}
				})
			}
			close(start)
			wg.Wait()
			for i, s := range statuses {
				if s != http.StatusOK {
					t.Fatalf("writer %d: %d", i, s)
				}
			}
			r := e.call("GET", "/v1/users/me", olga, nil).want(t, http.StatusOK)
			if r.body["version"] != float64(1+writers) {
				t.Fatalf("version %v after %d edits", r.body["version"], writers)
			}
			e.call("PATCH", "/v1/users/me", olga, map[string]any{"display_name": "Stale"}, "If-Match", `"1"`).want(t, http.StatusPreconditionFailed)
		})
	}
}
