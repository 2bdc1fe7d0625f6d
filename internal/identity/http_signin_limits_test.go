package identity

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// holdHashing takes every password-hashing slot, so that concurrent
// attempts pile up where the hash would start; the returned func frees them.
func holdHashing(e *env) func() {
	for range cap(e.svc.hashes.slots) {
		e.svc.hashes.slots <- struct{}{}
	}
	return func() {
		for range cap(e.svc.hashes.slots) {
			<-e.svc.hashes.slots
		}
	}
}

// waitUntil polls cond for up to d; it reports whether cond came true.
func waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cond()
}

// Failures are counted before the password is hashed, so simultaneous
// guesses cannot all pass a check of the count: at most the limit are
// checked, whatever the concurrency.
func TestConcurrentGuessesMeetTheLimit(t *testing.T) {
	t.Parallel()
	backend := moduletest.Stores(t)[0] // limits live in memory: one store is enough
	cases := []struct {
		name      string
		addresses int
		perAddr   int
		pairLimit int
		acctLimit int
		want      int
	}{
		{"one_address_gets_login_max_failures", 1, 25, 5, 50, 5},
		{"many_addresses_get_the_account_ceiling", 11, 5, 5, 50, 50},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, func(cfg *Config) {
				cfg.LoginMaxFailures, cfg.LoginMaxFailuresPerAccount = c.pairLimit, c.acctLimit
				cfg.PasswordHashConcurrency = 4
			})
			e.register("racer@example.org", "Racer")
			byTestAddress(e)
			free := holdHashing(e)
			total := c.addresses * c.perAddr
			var checked, throttled, done atomic.Int32
			var wg sync.WaitGroup
			for a := range c.addresses {
				for range c.perAddr {
					wg.Go(func() {
						defer done.Add(1)
						_, err := e.svc.login(fromAddr("10.1.0."+strconv.Itoa(a)), "racer@example.org", "wrong-password!", "", "")
						switch errs.KindOf(err) {
						case errs.Unauthenticated:
							checked.Add(1)
						case errs.TooManyRequests:
							throttled.Add(1)
						default:
							t.Errorf("unexpected answer: %v", err)
						}
					})
				}
			}
			// Those over the limit are refused without waiting for a hash.
			waitUntil(5*time.Second, func() bool { return int(done.Load()) >= total-c.want })
			free()
			wg.Wait()
			if int(checked.Load()) != c.want || int(throttled.Load()) != total-c.want {
				t.Fatalf("%d passwords checked, %d throttled; want %d checked of %d", checked.Load(), throttled.Load(), c.want, total)
			}
		})
	}
}

// Anyone can reach the account-wide limit of failures for any account. The
// owner's devices are counted apart, so the owner still signs in.
func TestAnAttackerCannotLockTheOwnerOut(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, func(c *Config) { c.LoginMaxFailures = 2; c.LoginMaxFailuresPerAccount = 6 })
			e.register("owner@example.org", "Owner")
			signIn := func(password string, extra map[string]any, headers ...string) resp {
				body := map[string]any{"email": "owner@example.org", "password": password}
				for k, v := range extra {
					body[k] = v
				}
				return e.call("POST", "/v1/auth/token", "", body, headers...)
			}

			// The owner signed in on this device before.
			r := signIn(goodPassword, nil).want(t, http.StatusOK)
			device := r.str("device_token")
			cookie := r.header.Get("Set-Cookie")
			if device == "" || !strings.Contains(cookie, deviceCookie+"="+device) || !strings.Contains(cookie, "HttpOnly") {
				t.Fatalf("no device token: body %s, Set-Cookie %q", r.raw, cookie)
			}

			// An attacker guesses from many addresses until the account is
			// throttled for everyone else.
			byTestAddress(e)
			for i := range 6 {
				if _, err := e.svc.login(fromAddr("10.2.0."+strconv.Itoa(i/2)), "owner@example.org", "guess-"+strconv.Itoa(i), "", ""); errs.KindOf(err) != errs.Unauthenticated {
					t.Fatalf("guess %d: %v", i, err)
				}
			}
			if _, err := e.svc.login(fromAddr("10.2.0.9"), "owner@example.org", "guess-x", "", ""); errs.KindOf(err) != errs.TooManyRequests {
				t.Fatalf("attacker after the ceiling: %v, want throttled", err)
			}
			// Even with someone else's device token, or a made-up one.
			e.register("other@example.org", "Other")
			otherDevice := e.call("POST", "/v1/auth/token", "", map[string]any{"email": "other@example.org", "password": goodPassword}).
				want(t, http.StatusOK).str("device_token")
			for _, forged := range []string{otherDevice, device + "x", "garbage"} {
				if _, err := e.svc.login(fromAddr("10.2.0.9"), "owner@example.org", "guess-y", forged, ""); errs.KindOf(err) != errs.TooManyRequests {
					t.Fatalf("attacker with device token %.12q: %v, want throttled", forged, err)
				}
			}
			e.svc.clientAddr = httpx.ClientIP

			// The owner, from a trusted device, still signs in: in the body
			// (API clients) or as the cookie (browsers).
			r = signIn(goodPassword, map[string]any{"device_token": device}).want(t, http.StatusOK)
			if r.str("device_token") != device {
				t.Fatalf("a trusted device should keep its token: %s", r.raw)
			}
			signIn(goodPassword, nil, "Cookie", deviceCookie+"="+device).want(t, http.StatusOK)
			// From an unknown device the owner waits like anyone else.
			r = signIn(goodPassword, nil).want(t, http.StatusTooManyRequests)
			if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n < 1 {
				t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
			}
			// A trusted device has a limit of its own: a stolen one is slow too.
			for range 2 {
				signIn("guess-z", map[string]any{"device_token": device}).want(t, http.StatusUnauthorized)
			}
			signIn(goodPassword, map[string]any{"device_token": device}).want(t, http.StatusTooManyRequests)
		})
	}
}

func TestPasswordChangesAreRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], func(c *Config) { c.LoginMaxFailures = 50; c.LoginMaxFailuresPerAccount = 50 })
	e.register("pam@example.org", "Pam")
	access, _ := e.login("pam@example.org", goodPassword)
	for i := range passwordChangesPerWindow {
		e.call("POST", "/v1/users/me/password", access, map[string]any{"current_password": "wrong-" + strconv.Itoa(i), "new_password": "Another-Fine-Pass-9"}).
			want(t, http.StatusUnprocessableEntity)
	}
	// Over the limit even the right password is refused, before any hash.
	r := e.call("POST", "/v1/users/me/password", access, map[string]any{"current_password": goodPassword, "new_password": "Another-Fine-Pass-9"}).
		want(t, http.StatusTooManyRequests)
	if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n < 1 || n > 900 {
		t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	if r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("content type %q", r.header.Get("Content-Type"))
	}
	e.login("pam@example.org", goodPassword)
}
