//go:build lean

package backends_test

import (
	"testing"

	"github.com/alexandria-platform/alexandria/internal/app/backends"
	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

func TestLeanBuildLinksNoLeanBackend(t *testing.T) {
	if err := backends.Register(); err != nil {
		t.Fatal(err)
	}
	for _, b := range bus.Backends {
		if b.Lean && bus.Registered(b.Name) {
			t.Errorf("bus transport %s is registered in a lean build", b.Name)
		}
	}
	for _, s := range blob.Stores {
		if s.Lean && blob.Registered(s.Scheme) {
			t.Errorf("blob store %s is registered in a lean build", s.Scheme)
		}
	}
}
