package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
)

// TestIdentityRevocationTiming checks that a suspension, the end of every
// session and a deletion hold on another target (catalog) within a second:
// in one process, and with identity and catalog in separate processes (each
// on its own SQLite store: the revocations travel through identity's feed,
// not through a shared database or the bus).
func TestIdentityRevocationTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary: skipped with -short")
	}
	t.Parallel()
	common := []string{"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_FORMAT=json"}

	t.Run("all_in_one", func(t *testing.T) {
		t.Parallel()
		p := start(t, append([]string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data")}, common...))
		revocationTiming(t, p.URL, p.URL)
	})

	t.Run("split", func(t *testing.T) {
		t.Parallel()
		idPort := freeTCPPort(t)
		key := "ALEXANDRIA_SERVICE_KEY=revocation-timing-service-key"
		identity := start(t, append([]string{fmt.Sprintf("ALEXANDRIA_HTTP_ADDR=127.0.0.1:%d", idPort),
			"ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "identity"), key}, common...), "-target=identity")
		catalog := start(t, append([]string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "catalog"),
			fmt.Sprintf("ALEXANDRIA_IDENTITY_URL=http://127.0.0.1:%d", idPort), key}, common...), "-target=catalog")
		revocationTiming(t, identity.URL, catalog.URL)
	})
}

func revocationTiming(t *testing.T, identityURL, catalogURL string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	anon := client.New(identityURL, nil)
	admin := signIn(ctx, t, anon, adminEmail, adminPassword)

	// onCatalog is the user's token used on the other target.
	onCatalog := func(c *client.Client) *client.Client { return c.WithBase(catalogURL) }
	// refusedWithin waits for catalog to answer status to c, and fails
	// the test if that took a second or more after the change.
	refusedWithin := func(what string, c *client.Client, status int, changed time.Time) {
		t.Helper()
		deadline := changed.Add(10 * time.Second)
		for {
			_, err := c.ListMedia(ctx, client.MediaFilter{})
			var p *client.Problem
			if errors.As(err, &p) && p.Status == status {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: catalog still answers %v 10s after the change", what, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		took := time.Since(changed)
		t.Logf("%s: refused on catalog after %s", what, took.Round(time.Millisecond))
		if took >= time.Second {
			t.Errorf("%s took %s on catalog, want under a second", what, took)
		}
	}

	// Suspension.
	u, user := registerAndSignInUser(ctx, t, anon, "suspended@example.org", "Suspended")
	if _, err := onCatalog(user).ListMedia(ctx, client.MediaFilter{}); err != nil {
		t.Fatalf("catalog refused a fresh token: %v", err)
	}
	yes := true
	at := time.Now()
	_, err := admin.UpdateUser(ctx, u.ID, client.UserPatch{Suspended: &yes})
	must(t, err)
	refusedWithin("suspension", onCatalog(user), http.StatusForbidden, at)

	// Signing out everywhere ends every session's access tokens.
	_, first := registerAndSignInUser(ctx, t, anon, "leaving@example.org", "Leaving")
	second := signIn(ctx, t, anon, "leaving@example.org", passwordOf("leaving@example.org"))
	if _, err := onCatalog(second).ListMedia(ctx, client.MediaFilter{}); err != nil {
		t.Fatalf("catalog refused a fresh token: %v", err)
	}
	at = time.Now()
	must(t, first.Logout(ctx, ""))
	refusedWithin("sign out everywhere", onCatalog(second), http.StatusUnauthorized, at)

	// Deletion.
	d, doomed := registerAndSignInUser(ctx, t, anon, "deleted@example.org", "Deleted")
	at = time.Now()
	must(t, admin.DeleteUser(ctx, d.ID))
	refusedWithin("deletion", onCatalog(doomed), http.StatusUnauthorized, at)
}
