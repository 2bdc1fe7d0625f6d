package storage

import (
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// The sweeper is background work of the service's lifecycle group: it runs
// until Close and then stops on request, not failed.
func TestSweeperRunsInTheLifecycleGroup(t *testing.T) {
	onStores(t, func(t *testing.T, s moduletest.Store) {
		e := newEnv(t, s, "", nil)
		if got := e.svc.background.States()["sweeper"]; got != lifecycle.Running {
			t.Fatalf("sweeper is %v, want running", got)
		}
		if err := e.svc.background.Err(); err != nil {
			t.Fatalf("background work failed: %v", err)
		}
		if err := e.svc.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := e.svc.background.States()["sweeper"]; got != lifecycle.Terminated {
			t.Fatalf("after Close the sweeper is %v, want terminated", got)
		}
	})
}
