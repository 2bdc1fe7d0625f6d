package identity

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

func TestRefreshReuseGrace(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			st := &store{db: moduletest.OpenDB(t, backend, "identity", Migrations)}
			ctx := context.Background()
			now := ts(time.Now())
			u := testUser("tabs@example.org")
			if err := st.createUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			first := refreshRow{TokenHash: hashSecret("first"), FamilyID: uuid.NewString(), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := st.insertRefresh(ctx, first); err != nil {
				t.Fatal(err)
			}
			second := hashSecret("second")
			next := func(u User, fam string) (refreshRow, error) {
				return refreshRow{TokenHash: second, FamilyID: fam, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, nil
			}
			const grace = 10 * time.Second
			if _, err := st.rotateRefresh(ctx, first.TokenHash, now, grace, next); err != nil {
				t.Fatal(err)
			}
			// The second tab, a moment later: refused, nothing revoked.
			_, err := st.rotateRefresh(ctx, first.TokenHash, now.Add(5*time.Second), grace, next)
			if !errors.Is(err, errs.ErrUnauthenticated) || !strings.Contains(err.Error(), "already used") {
				t.Fatalf("reuse within grace: %v", err)
			}
			if row, _ := st.refreshState(ctx, second); row.RevokedAt != nil {
				t.Fatal("reuse within grace revoked the session")
			}
			// Later, a reuse means a leak: the family goes.
			if _, err := st.rotateRefresh(ctx, first.TokenHash, now.Add(grace+time.Second), grace, next); !errors.Is(err, errs.ErrUnauthenticated) {
				t.Fatalf("reuse after grace: %v", err)
			}
			if row, _ := st.refreshState(ctx, second); row.RevokedAt == nil {
				t.Fatal("reuse after grace left the session alive")
			}
		})
	}
}

func TestLogoutWithTheRefreshTokenAlone(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			e.register("leo@example.org", "Leo")
			_, one := e.login("leo@example.org", goodPassword)
			_, two := e.login("leo@example.org", goodPassword)
			e.call("POST", "/v1/auth/logout", "", map[string]any{"refresh_token": one}).want(t, http.StatusNoContent)
			e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": one}).want(t, http.StatusUnauthorized)
			// Only that session ended.
			e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": two}).want(t, http.StatusOK)
			e.call("POST", "/v1/auth/logout", "", map[string]any{"refresh_token": "not-a-token"}).want(t, http.StatusUnauthorized)
			e.call("POST", "/v1/auth/logout", "", map[string]any{}).want(t, http.StatusUnauthorized)
			e.call("POST", "/v1/auth/logout", "", nil).want(t, http.StatusUnauthorized)
		})
	}
}

func TestExpiredRefreshTokensArePruned(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			ctx := context.Background()
			id := e.register("old@example.org", "Old")
			now := ts(time.Now())
			rows := map[string]time.Time{"long-gone": now.Add(-48 * time.Hour), "just-expired": now.Add(-time.Hour), "live": now.Add(time.Hour)}
			for name, expires := range rows {
				r := refreshRow{TokenHash: hashSecret(name), FamilyID: uuid.NewString(), UserID: id, CreatedAt: expires.Add(-time.Hour), ExpiresAt: expires}
				if err := e.svc.store.insertRefresh(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			group := lifecycle.NewGroup("identity-test", nil)
			if err := group.Go("refresh-token pruner", e.svc.pruneLoop(10*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = group.Stop(ctx) }()
			testkit.Eventually(t, "the token expired two days ago to be pruned", func() bool {
				_, err := e.svc.store.refreshState(ctx, hashSecret("long-gone"))
				return errors.Is(err, errs.ErrNotFound)
			})
			for _, kept := range []string{"just-expired", "live"} {
				if _, err := e.svc.store.refreshState(ctx, hashSecret(kept)); err != nil {
					t.Fatalf("%s: %v", kept, err)
				}
			}
		})
	}
}

func TestBackgroundWorkRunsOnTheTargetsGroup(t *testing.T) {
	t.Parallel()
	backend := moduletest.Stores(t)[0]
	group := lifecycle.NewGroup("identity", nil)
	newEnvWith(t, backend, nil, func(d *module.Deps) { d.Background = group })
	states := group.States()
	for _, name := range []string{"refresh-token pruner", "outbox relay"} {
		if states[name] != lifecycle.Running {
			t.Fatalf("%s on the target's group: %v (all: %v)", name, states[name], states)
		}
	}
	if err := group.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if states := group.States(); states["refresh-token pruner"] != lifecycle.Terminated {
		t.Fatalf("after Stop the pruner is %v, want terminated", states["refresh-token pruner"])
	}
}
