package identity

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func TestOnlyActiveAdministratorsCount(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			root := e.adminToken()
			rootID := e.call("GET", "/v1/users/me", root, nil).want(t, http.StatusOK).str("id")
			hankID := e.register("hank@example.org", "Hank")
			e.call("PATCH", "/v1/users/"+hankID, root, map[string]any{"roles": []string{"admin"}}).want(t, http.StatusOK)
			hank, _ := e.login("hank@example.org", goodPassword)
			// Two active administrators: one may be suspended.
			e.call("PATCH", "/v1/users/"+hankID, root, map[string]any{"suspended": true}).want(t, http.StatusOK)

			// Hank's access token still names the admin role until it
			// expires, but identity acts on the account as it is now.
			e.call("PATCH", "/v1/users/"+rootID, hank, map[string]any{"roles": []string{"reader"}}).want(t, http.StatusForbidden)
			e.call("PATCH", "/v1/users/"+rootID, hank, map[string]any{"suspended": true}).want(t, http.StatusForbidden)
			e.call("DELETE", "/v1/users/"+rootID, hank, nil).want(t, http.StatusForbidden)
			// And a suspended admin does not count.
			e.call("DELETE", "/v1/users/"+rootID, root, nil).want(t, http.StatusConflict)
			// A suspended administrator is not the last active one.
			e.call("DELETE", "/v1/users/"+hankID, root, nil).want(t, http.StatusNoContent)
		})
	}
}

func TestBootstrapRepairsWhenEveryAdminIsSuspended(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, nil)
			ctx := context.Background()
			// Suspended behind the rules' back, as an old version allowed.
			if _, err := e.svc.db.NewUpdate().Model((*userRow)(nil)).Set("suspended = ?", true).
				Where("email = ?", testAdminEmail).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			if ok, err := e.svc.store.anyAdmin(ctx); err != nil || ok {
				t.Fatalf("anyAdmin with only a suspended admin = %v, %v", ok, err)
			}
			if err := e.svc.ensureAdmin(ctx); err != nil {
				t.Fatal(err)
			}
			r := e.call("GET", "/v1/users/me", e.adminToken(), nil).want(t, http.StatusOK)
			if r.body["suspended"] != false {
				t.Fatalf("repaired admin = %s", r.raw)
			}
		})
	}
}

// TestAdministratorChangesAreSerialised races two changes that each take
// away one of the last two active administrators: exactly one may win.
func TestAdministratorChangesAreSerialised(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			st := &store{db: moduletest.OpenDB(t, backend, "identity", Migrations)}
			ctx := context.Background()
			now := ts(testUser("x@example.org").CreatedAt)
			ops := []func(id string) error{
				func(id string) error { return st.deleteUser(ctx, id) },
				func(id string) error {
					_, err := st.updateUser(ctx, id, 0, now, func(u *User) error { u.Roles = []string{auth.RoleReader}; return nil })
					return err
				},
				func(id string) error {
					_, err := st.updateUser(ctx, id, 0, now, func(u *User) error { u.Suspended = true; return nil })
					return err
				},
			}
			survivor := testUser("admin-0@example.org", auth.RoleReader, auth.RoleAdmin)
			if err := st.createUser(ctx, survivor); err != nil {
				t.Fatal(err)
			}
			for round := range 12 {
				fresh := testUser("admin-"+string(rune('a'+round))+"@example.org", auth.RoleReader, auth.RoleAdmin)
				if err := st.createUser(ctx, fresh); err != nil {
					t.Fatal(err)
				}
				start := make(chan struct{})
				results := make([]error, 2)
				var wg sync.WaitGroup
				for i, id := range []string{survivor.ID, fresh.ID} {
					op := ops[(round+i)%len(ops)]
					wg.Go(func() {
						<-start
						results[i] = op(id)
					})
				}
				close(start)
				wg.Wait()
				n, err := activeAdmins(ctx, st.db.DB, "")
				if err != nil {
					t.Fatal(err)
				}
				if n != 1 {
					t.Fatalf("round %d: %d active administrators left (errors %v), want 1", round, n, results)
				}
				for _, err := range results {
					if err != nil && !errors.Is(err, errs.ErrConflict) {
						t.Fatalf("round %d: %v", round, err)
					}
				}
				if results[0] != nil {
					// The survivor's change lost: the fresh admin was taken away.
					continue
				}
				survivor = fresh
			}
		})
	}
}
