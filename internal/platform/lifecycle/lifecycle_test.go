package lifecycle

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// waitFor is testkit.Eventually.
var waitFor = testkit.Eventually

func TestGroup(t *testing.T) {
	t.Parallel()
	untilStopped := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	cases := []struct {
		name    string
		run     Run
		wantErr string // substring of Err() once settled; "" = healthy
	}{
		{"runner_until_stopped_is_healthy", untilStopped, ""},
		{"runner_returning_error_fails_group", func(context.Context) error { return errors.New("subscription closed") }, "worker: subscription closed"},
		{"runner_returning_early_fails_group", func(context.Context) error { return nil }, "worker: " + ErrStoppedEarly.Error()},
		{"panicking_runner_fails_group", func(context.Context) error { panic("boom") }, "worker: panic: boom"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := NewGroup("svc", nil)
			if err := g.Go("worker", tc.run); err != nil {
				t.Fatal(err)
			}
			if tc.wantErr == "" {
				waitFor(t, "running", func() bool { return g.States()["worker"] == Running })
				if err := g.Err(); err != nil {
					t.Fatalf("Err = %v, want nil", err)
				}
			} else {
				waitFor(t, "failure", func() bool { return g.States()["worker"] == Failed })
				if err := g.Err(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Err = %v, want it to contain %q", err, tc.wantErr)
				}
			}
			if err := g.Stop(context.Background()); err != nil {
				t.Fatalf("Stop: %v", err)
			}
			if tc.wantErr == "" {
				if st := g.States()["worker"]; st != Terminated {
					t.Fatalf("state after Stop = %v, want terminated", st)
				}
				if err := g.Err(); err != nil {
					t.Fatalf("Err after a requested stop = %v, want nil", err)
				}
			}
		})
	}
}

func TestStopNamesRunnersThatOutliveTheDeadline(t *testing.T) {
	t.Parallel()
	g := NewGroup("svc", nil)
	release := make(chan struct{})
	defer close(release)
	_ = g.Go("stubborn", func(context.Context) error { <-release; return nil })
	_ = g.Go("polite", func(ctx context.Context) error { <-ctx.Done(); return nil })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := g.Stop(ctx)
	if err == nil || !strings.Contains(err.Error(), "stubborn") || strings.Contains(err.Error(), "polite") {
		t.Fatalf("Stop = %v, want an error naming only the stubborn runner", err)
	}
}

func TestGoAfterStopIsRefused(t *testing.T) {
	t.Parallel()
	g := NewGroup("svc", nil)
	if err := g.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := g.Go("late", func(context.Context) error { return nil }); err == nil {
		t.Fatal("Go after Stop succeeded, want an error")
	}
}
