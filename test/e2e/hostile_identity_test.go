package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
)

// The identity findings of a hostile review, on the real binary.
func TestHostileIdentity(t *testing.T) {
	t.Parallel()
	p := start(t, []string{
		"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0",
		"ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail,
		"ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword,
		"ALEXANDRIA_LOG_FORMAT=json",
		// The attacker below comes from several addresses.
		"ALEXANDRIA_HTTP_TRUST_FORWARDED_FOR=true",
		"ALEXANDRIA_IDENTITY_LOGIN_MAX_FAILURES=2",
		"ALEXANDRIA_IDENTITY_LOGIN_MAX_FAILURES_PER_ACCOUNT=6",
	})
	anon := client.New(p.URL, nil)

	t.Run("suspended_admin_cannot_undo_the_suspension", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		root := signIn(ctx, t, anon, adminEmail, adminPassword)
		me, err := root.Me(ctx)
		must(t, err)
		rogue, _ := registerAndSignInUser(ctx, t, anon, "rogue@example.org", "Rogue")
		_, err = root.UpdateUser(ctx, rogue.ID, client.UserPatch{Roles: []string{"admin"}})
		must(t, err)
		// An access token issued while rogue was an administrator.
		stale := signIn(ctx, t, anon, "rogue@example.org", passwordOf("rogue@example.org"))
		yes, no := true, false
		_, err = root.UpdateUser(ctx, rogue.ID, client.UserPatch{Suspended: &yes})
		must(t, err)

		_, err = stale.UpdateUser(ctx, rogue.ID, client.UserPatch{Suspended: &no})
		wantStatus(t, "reinstating oneself", err, http.StatusForbidden)
		_, err = stale.UpdateUser(ctx, me.ID, client.UserPatch{Suspended: &yes})
		wantStatus(t, "suspending the first admin", err, http.StatusForbidden)
		_, err = stale.ListUsers(ctx, client.ListOptions{})
		wantStatus(t, "listing users", err, http.StatusForbidden)
		wantStatus(t, "deleting the first admin", stale.DeleteUser(ctx, me.ID), http.StatusForbidden)

		u, err := root.GetUser(ctx, rogue.ID)
		must(t, err)
		if !u.Suspended {
			t.Fatalf("the suspension was undone: %+v", u)
		}
		if _, err := root.Me(ctx); err != nil {
			t.Fatalf("the first admin was touched: %v", err)
		}
	})

	t.Run("an_attacker_cannot_lock_the_owner_out", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		const email = "owner@example.org"
		password := passwordOf(email)
		_, err := anon.Register(ctx, email, password, "Owner")
		must(t, err)
		first, err := anon.Login(ctx, email, password)
		must(t, err)
		if first.DeviceToken == "" {
			t.Fatalf("sign-in answered no device token: %+v", first)
		}

		// Wrong passwords from three addresses reach the account-wide
		// ceiling (6); after that, guesses are refused unchecked.
		for i := range 6 {
			if status := guess(ctx, t, p.URL, email, fmt.Sprintf("198.51.100.%d", i/2), "guess "+strconv.Itoa(i)); status != http.StatusUnauthorized {
				t.Fatalf("guess %d: status %d, want 401", i, status)
			}
		}
		for i := range 3 {
			if status := guess(ctx, t, p.URL, email, fmt.Sprintf("203.0.113.%d", i), password); status != http.StatusTooManyRequests {
				t.Fatalf("attacker after the ceiling, even with the right password: status %d, want 429", status)
			}
		}

		// The owner, on the device that signed in before, still gets in.
		tok, err := anon.LoginOnDevice(ctx, email, password, first.DeviceToken)
		must(t, err)
		if tok.AccessToken == "" {
			t.Fatalf("owner's sign-in answered no token: %+v", tok)
		}
		// On a device the account does not know, the owner waits like anyone.
		_, err = anon.Login(ctx, email, password)
		wantStatus(t, "owner on an unknown device", err, http.StatusTooManyRequests)
		var problem *client.Problem
		if errors.As(err, &problem) {
			if n, perr := strconv.Atoi(problem.RetryAfter); perr != nil || n < 1 {
				t.Fatalf("Retry-After = %q", problem.RetryAfter)
			}
		}
	})
}

// guess tries a password for email as if from addr and returns the status.
func guess(ctx context.Context, t *testing.T, base, email, addr, password string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/auth/token", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
