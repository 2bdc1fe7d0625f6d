package e2e

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// TestSignInLimitsSharedByTwoIdentityProcesses runs identity twice
// (`serve -target=identity`) on one PostgreSQL and one Redis
// (ALEXANDRIA_REDIS_URL): wrong passwords for one account spread over both
// processes add up, so both throttle it (429 with Retry-After) once the
// limit is reached, and a fresh account is not affected. Without the
// shared counter each process would have seen only half the guesses.
func TestSignInLimitsSharedByTwoIdentityProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("identity replicas on Redis: skipped with -short")
	}
	t.Parallel()
	conn, err := net.DialTimeout("tcp", "127.0.0.1:6379", 2*time.Second)
	if err != nil {
		testkit.SkipOrFail(t, "Redis on 127.0.0.1:6379", err)
	}
	_ = conn.Close()
	// Database 5 of the local Redis: the limit keys of this test's accounts
	// (fresh addresses) cannot meet another test's.
	common := []string{
		"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATABASE_URL=" + freshPostgresDatabase(t),
		"ALEXANDRIA_REDIS_URL=redis://127.0.0.1:6379/5", "ALEXANDRIA_SERVICE_KEY=shared-limits-service-key",
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_FORMAT=json",
		"ALEXANDRIA_IDENTITY_LOGIN_MAX_FAILURES=4", "ALEXANDRIA_IDENTITY_LOGIN_RATE_PER_ADDRESS=1000",
		"ALEXANDRIA_IDENTITY_SIGNUP_RATE_PER_ADDRESS=1000",
	}
	a := start(t, append(append([]string{}, common...), "ALEXANDRIA_DATA_DIR="+filepath.Join(t.TempDir(), "a")), "-target=identity")
	b := start(t, append(append([]string{}, common...), "ALEXANDRIA_DATA_DIR="+filepath.Join(t.TempDir(), "b")), "-target=identity")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	password := "a long enough pass phrase 42"
	signUp := func(base string) string {
		email := "shared-" + uuid.NewString()[:8] + "@example.org"
		r := doAuth(t, http.MethodPost, base+"/v1/users", "application/json",
			`{"email":"`+email+`","password":"`+password+`","display_name":"Shared"}`, "")
		if r.status != http.StatusCreated {
			t.Fatalf("sign-up on %s: %d %s", base, r.status, r.body)
		}
		return email
	}
	signIn := func(base, email, pw string) (int, string) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/auth/token",
			strings.NewReader(`{"email":"`+email+`","password":"`+pw+`"}`))
		must(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	victim := signUp(a.URL)
	// Four wrong guesses, alternating between the processes: two each.
	for i := range 4 {
		base := []string{a.URL, b.URL}[i%2]
		if status, _ := signIn(base, victim, "wrong guess "+strconv.Itoa(i)); status != http.StatusUnauthorized {
			t.Fatalf("guess %d on %s: %d, want 401", i, base, status)
		}
	}
	// Both processes now throttle the account, even with the right password.
	for name, base := range map[string]string{"A": a.URL, "B": b.URL} {
		status, retry := signIn(base, victim, password)
		if status != http.StatusTooManyRequests {
			t.Errorf("%s: sign-in after 4 shared failures: %d, want 429 (the processes do not share the counter)", name, status)
		}
		if n, err := strconv.Atoi(retry); status == http.StatusTooManyRequests && (err != nil || n < 1) {
			t.Errorf("%s: Retry-After %q", name, retry)
		}
	}
	// Another account signs in on either.
	other := signUp(b.URL)
	for name, base := range map[string]string{"A": a.URL, "B": b.URL} {
		if status, _ := signIn(base, other, password); status != http.StatusOK {
			t.Errorf("%s: an untouched account's sign-in: %d, want 200", name, status)
		}
	}
	if ctx.Err() != nil {
		t.Fatal(errors.New("ran out of time"))
	}
}
