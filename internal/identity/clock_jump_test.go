package identity

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// jumpClock is a clock the test moves by hand, shared by identity (which
// issues tokens and judges refresh tokens) and the verifier (which judges
// access tokens), as one host's clock would be.
type jumpClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *jumpClock) jump(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestClockJumpsAndTokenExpiry is the clock-jump chaos scenario, at the
// package level: the binary has no test clock, so the clock is injected
// into identity and the verifier. A jump forward past the access token's
// lifetime expires it and refresh still works; a jump back (NTP stepping
// a fast clock back) leaves a token issued "in the future" usable or not
// as the verifier's validation says, and refresh gives a working token
// either way; a jump past the refresh token's lifetime ends the session.
func TestClockJumpsAndTokenExpiry(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			clock := &jumpClock{now: time.Now().UTC()}
			e.svc.now = clock.Now
			e.verifier.SetClock(clock.Now)
			ttl, refreshTTL := e.svc.cfg.AccessTokenTTL, e.svc.cfg.RefreshTokenTTL
			e.register("clock@example.org", "Clock")
			access, refresh := e.login("clock@example.org", goodPassword)
			e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusOK)

			// Forward, within the lifetime: still valid.
			clock.jump(ttl / 2)
			e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusOK)
			// Forward past it: expired, and refresh works at the new time.
			clock.jump(ttl)
			e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusUnauthorized)
			r := e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}).want(t, http.StatusOK)
			access, refresh = r.str("access_token"), r.str("refresh_token")
			e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusOK)

			// Back by an hour: the token just issued now lies in the
			// future. Whatever the verifier says of it, it must not be a
			// server error, and refresh must give a token that works.
			clock.jump(-time.Hour)
			back := e.call("GET", "/v1/users/me", access, nil)
			if back.status != http.StatusOK && back.status != http.StatusUnauthorized {
				t.Fatalf("token issued before the clock stepped back: %d %s", back.status, back.raw)
			}
			r = e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}).want(t, http.StatusOK)
			access, refresh = r.str("access_token"), r.str("refresh_token")
			e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusOK)
			t.Logf("after a 1 h step back, a token issued before it answers %d", back.status)

			// Past the refresh token's lifetime: the session is over.
			clock.jump(refreshTTL + time.Minute)
			e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusUnauthorized)
			e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}).want(t, http.StatusUnauthorized)
			// Signing in again works at the new time.
			access, _ = e.login("clock@example.org", goodPassword)
			e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusOK)
		})
	}
}
