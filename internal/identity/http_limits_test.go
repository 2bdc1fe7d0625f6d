package identity

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// addrKey carries a client address in tests that call the service directly.
type addrKey struct{}

func fromAddr(addr string) context.Context {
	return context.WithValue(context.Background(), addrKey{}, addr)
}

// byTestAddress makes the service read the client address from addrKey.
func byTestAddress(e *env) {
	e.svc.clientAddr = func(ctx context.Context) string { a, _ := ctx.Value(addrKey{}).(string); return a }
}

func TestPasswordHashingIsBounded(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, func(c *Config) { c.PasswordHashConcurrency = 1; c.PasswordHashWait = 50 * time.Millisecond })
			e.register("busy@example.org", "Busy")
			// Take the only slot, as a long hash would.
			e.svc.hashes.slots <- struct{}{}
			for _, c := range []struct {
				path string
				body map[string]any
			}{
				{"/v1/users", map[string]any{"email": "late@example.org", "password": goodPassword, "display_name": "Late"}},
				{"/v1/auth/token", map[string]any{"email": "busy@example.org", "password": goodPassword}},
			} {
				r := e.call("POST", c.path, "", c.body).want(t, http.StatusServiceUnavailable)
				if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n < 1 {
					t.Fatalf("%s: Retry-After = %q", c.path, r.header.Get("Retry-After"))
				}
			}
			<-e.svc.hashes.slots
			e.register("late@example.org", "Late")
			e.login("busy@example.org", goodPassword)
		})
	}
}

func TestHashGate(t *testing.T) {
	t.Parallel()
	t.Run("waiting_ends_with_the_request", func(t *testing.T) {
		t.Parallel()
		g := newHashGate(1, time.Minute)
		g.slots <- struct{}{}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := g.run(ctx, func() { t.Error("ran without a slot") }); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("never_more_than_size_at_once", func(t *testing.T) {
		t.Parallel()
		g := newHashGate(2, time.Minute)
		var mu sync.Mutex
		running, peak := 0, 0
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				_ = g.run(context.Background(), func() {
					mu.Lock()
					running++
					peak = max(peak, running)
					mu.Unlock()
					time.Sleep(5 * time.Millisecond)
					mu.Lock()
					running--
					mu.Unlock()
				})
			})
		}
		wg.Wait()
		if peak > 2 {
			t.Fatalf("%d hashes at once, want at most 2", peak)
		}
	})
}

func TestSignUpRatePerAddress(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, func(c *Config) { c.SignupRatePerAddress = 2 })
			e.register("one@example.org", "One")
			e.register("two@example.org", "Two")
			r := e.call("POST", "/v1/users", "", map[string]any{"email": "three@example.org", "password": goodPassword, "display_name": "Three"}).
				want(t, http.StatusTooManyRequests)
			if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n < 1 || n > 3600 {
				t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
			}
		})
	}
}

func TestLockoutIsPerAccountAndAddress(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, func(c *Config) { c.LoginMaxFailures = 2; c.LoginMaxFailuresPerAccount = 4 })
			e.register("target@example.org", "Target")
			byTestAddress(e)
			login := func(addr, password string) errs.Kind {
				_, err := e.svc.login(fromAddr(addr), "target@example.org", password, "", "")
				if err == nil {
					return -1
				}
				return errs.KindOf(err)
			}
			for range 2 {
				if k := login("10.0.0.1", "wrong-password!"); k != errs.Unauthenticated {
					t.Fatalf("wrong password: kind %v", k)
				}
			}
			if k := login("10.0.0.1", goodPassword); k != errs.TooManyRequests {
				t.Fatalf("guessing address after its failures: kind %v, want throttled", k)
			}
			// The owner, elsewhere, is not locked out by someone else's guesses.
			if k := login("10.0.0.2", goodPassword); k != -1 {
				t.Fatalf("owner from another address: kind %v, want success", k)
			}
			// Guesses spread over addresses meet the per-account ceiling.
			login("10.0.0.3", "wrong-password!")
			login("10.0.0.4", "wrong-password!")
			if k := login("10.0.0.5", goodPassword); k != errs.TooManyRequests {
				t.Fatalf("after %d failures over many addresses: kind %v, want throttled", 4, k)
			}
		})
	}
}

func TestPasswordChangeFailuresAreThrottled(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, func(c *Config) { c.LoginMaxFailures = 2 })
			e.register("pat@example.org", "Pat")
			access, _ := e.login("pat@example.org", goodPassword)
			change := func(current string) resp {
				return e.call("POST", "/v1/users/me/password", access, map[string]any{"current_password": current, "new_password": "Another-Fine-Pass-9"})
			}
			for range 2 {
				change("wrong-"+goodPassword).want(t, http.StatusUnprocessableEntity)
			}
			r := change(goodPassword).want(t, http.StatusTooManyRequests)
			if r.header.Get("Retry-After") == "" {
				t.Fatal("no Retry-After")
			}
			// The same throttle guards sign-in.
			e.call("POST", "/v1/auth/token", "", map[string]any{"email": "pat@example.org", "password": goodPassword}).want(t, http.StatusTooManyRequests)
		})
	}
}
