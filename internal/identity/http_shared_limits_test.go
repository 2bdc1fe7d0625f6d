package identity

import (
	"net/http"
	"os"
	"testing"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// Two identity replicas with identity.redis_url share the sign-in limits:
// guesses spread over the replicas throttle the account on both, while the
// owner's trusted device still signs in.
func TestSignInLimitsHoldAcrossReplicas(t *testing.T) {
	t.Parallel()
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	probe, err := newRedisCounter(t.Context(), url, "probe:")
	if err != nil {
		testkit.SkipOrFail(t, "Redis", err)
	}
	_ = probe.Close()
	tune := func(c *Config) { c.RedisURL, c.LoginMaxFailures = url, 3 }
	backend := moduletest.Stores(t)[0]
	one, two := newEnv(t, backend, tune), newEnv(t, backend, tune)
	email := "shared-" + uuid.NewString()[:8] + "@example.org"
	for _, e := range []*env{one, two} {
		e.call("POST", "/v1/users", "", map[string]any{"email": email, "password": goodPassword, "display_name": "Shared"}).
			want(t, http.StatusCreated)
	}
	device := two.call("POST", "/v1/auth/token", "", map[string]any{"email": email, "password": goodPassword}).
		want(t, http.StatusOK).str("device_token")

	for i := range 3 {
		e := []*env{one, two}[i%2]
		e.call("POST", "/v1/auth/token", "", map[string]any{"email": email, "password": "wrong-guess-" + goodPassword}).
			want(t, http.StatusUnauthorized)
	}
	// Both replicas throttle the account from the guessing address.
	one.call("POST", "/v1/auth/token", "", map[string]any{"email": email, "password": goodPassword}).want(t, http.StatusTooManyRequests)
	two.call("POST", "/v1/auth/token", "", map[string]any{"email": email, "password": goodPassword}).want(t, http.StatusTooManyRequests)
	// The owner's device is counted apart: the guesses do not lock them out.
	two.call("POST", "/v1/auth/token", "", map[string]any{"email": email, "password": goodPassword, "device_token": device}).
		want(t, http.StatusOK)
}
