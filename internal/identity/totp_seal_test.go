package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func newTOTPKey(t *testing.T, id string) string {
	t.Helper()
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return id + ":" + base64.StdEncoding.EncodeToString(b)
}

func TestTOTPSecretsAreSealedAtRest(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			k1, k2 := newTOTPKey(t, "k1"), newTOTPKey(t, "k2")
			e := newEnv(t, backend, func(c *Config) { c.TOTPEncryptionKeys = k1 })
			id := e.register("sel@example.org", "Sel")
			access, _ := e.login("sel@example.org", goodPassword)
			secret, _ := e.enroll(t, access)

			row, err := e.svc.store.totpOf(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(row.Secret, "v1:k1:") || strings.Contains(row.Secret, secret) {
				t.Fatalf("stored secret %q is not sealed under k1", row.Secret)
			}
			signIn := func(at time.Time) resp {
				return e.call("POST", "/v1/auth/token", "", map[string]any{"email": "sel@example.org", "password": goodPassword,
					"otp": authenticator(t, secret, at)})
			}
			signIn(time.Now().Add(totpPeriod*time.Second)).want(t, http.StatusOK)

			// Another user's row cannot borrow the sealed secret.
			if _, err := e.svc.totp.open("someone-else", row.Secret); err == nil {
				t.Fatal("a sealed secret opened for another user")
			}

			// Rotation: k2 first, k1 still there; the start reseals.
			if e.svc.totp, err = parseTOTPKeys(k2 + "," + k1); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.resealTOTP(ctx); err != nil {
				t.Fatal(err)
			}
			if row, _ = e.svc.store.totpOf(ctx, id); !strings.HasPrefix(row.Secret, "v1:k2:") {
				t.Fatalf("after rotation the secret is %q", row.Secret)
			}
			// k1 can go now. (The clock moves on: each code works once.)
			if e.svc.totp, err = parseTOTPKeys(k2); err != nil {
				t.Fatal(err)
			}
			later := time.Now().Add(3 * totpPeriod * time.Second)
			e.svc.now = func() time.Time { return later.UTC() }
			signIn(later).want(t, http.StatusOK)

			// Without the key the secret does not open, and a start without
			// keys refuses sealed secrets rather than passing them by.
			if e.svc.totp, err = parseTOTPKeys(k1); err != nil {
				t.Fatal(err)
			}
			signIn(later.Add(totpPeriod*time.Second)).want(t, http.StatusInternalServerError)
			e.svc.totp = nil
			if err := e.svc.resealTOTP(ctx); err == nil {
				t.Fatal("no keys but sealed secrets: start must fail")
			}
		})
	}
}

func TestTOTPSecretsStoredBeforeAKeyAreSealedAtStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, moduletest.Stores(t)[0], nil)
	id := e.register("old@example.org", "Old")
	access, _ := e.login("old@example.org", goodPassword)
	secret, _ := e.enroll(t, access)
	if row, _ := e.svc.store.totpOf(ctx, id); row.Secret != secret {
		t.Fatalf("without keys the secret is stored as it is, got %q", row.Secret)
	}
	var err error
	if e.svc.totp, err = parseTOTPKeys(newTOTPKey(t, "first")); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.resealTOTP(ctx); err != nil {
		t.Fatal(err)
	}
	if row, _ := e.svc.store.totpOf(ctx, id); !strings.HasPrefix(row.Secret, "v1:first:") {
		t.Fatalf("after the start with a key: %q", row.Secret)
	}
	e.call("POST", "/v1/auth/token", "", map[string]any{"email": "old@example.org", "password": goodPassword,
		"otp": authenticator(t, secret, time.Now().Add(totpPeriod*time.Second))}).want(t, http.StatusOK)
}
