package identity

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

const testServiceKey = "identity-revocation-test-key"

// remoteTarget is another process's verifier: identity's public keys and
// a revocation list that follows identity's feed over HTTP.
func remoteTarget(t *testing.T, e *env, key string) *auth.Verifier {
	t.Helper()
	v := auth.NewVerifier(e.svc.KeySource())
	list := auth.NewRevocations()
	v.UseRevocations(list)
	f := auth.NewFollower(list, auth.HTTPFeed{URL: e.url, Key: key}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(auth.FollowInterval)(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return v
}

// refusedWithin waits until v refuses token with kind, and fails the test if
// that took longer than a second after the change.
func refusedWithin(t *testing.T, v *auth.Verifier, token string, kind errs.Kind, changed time.Time) {
	t.Helper()
	testkit.Eventually(t, "the other target refuses the token", func() bool {
		_, err := v.Verify(context.Background(), token)
		return errs.KindOf(err) == kind
	})
	if took := time.Since(changed); took > time.Second {
		t.Errorf("revocation took %s on the other target, want under 1s", took)
	}
}

func TestRevocationReachesEveryTargetWithinASecond(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, backend, nil, func(d *module.Deps) { d.ServiceKey = testServiceKey })
			remote := remoteTarget(t, e, testServiceKey)
			root := e.adminToken()
			ctx := context.Background()

			t.Run("suspension", func(t *testing.T) {
				id := e.register("suspend-me@example.org", "Suspended")
				access, _ := e.login("suspend-me@example.org", goodPassword)
				if _, err := remote.Verify(ctx, access); err != nil {
					t.Fatal(err)
				}
				at := time.Now()
				e.call("PATCH", "/v1/users/"+id, root, map[string]any{"suspended": true}).want(t, http.StatusOK)
				// In identity's own process it holds before the answer.
				e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusForbidden)
				refusedWithin(t, remote, access, errs.Forbidden, at)
				// Reinstated, the old token stays refused; a new sign-in works.
				e.call("PATCH", "/v1/users/"+id, root, map[string]any{"suspended": false}).want(t, http.StatusOK)
				again, _ := e.login("suspend-me@example.org", goodPassword)
				testkit.Eventually(t, "a token issued after reinstatement is accepted", func() bool {
					_, err := remote.Verify(ctx, again)
					return err == nil
				})
				if _, err := remote.Verify(ctx, access); err == nil {
					t.Fatal("a token issued before the suspension works again after reinstatement")
				}
			})

			t.Run("deletion", func(t *testing.T) {
				id := e.register("delete-me@example.org", "Deleted")
				access, _ := e.login("delete-me@example.org", goodPassword)
				at := time.Now()
				e.call("DELETE", "/v1/users/"+id, root, nil).want(t, http.StatusNoContent)
				e.call("GET", "/v1/users/me", access, nil).want(t, http.StatusUnauthorized)
				refusedWithin(t, remote, access, errs.Unauthenticated, at)
			})

			t.Run("role_removal", func(t *testing.T) {
				id := e.register("demote-me@example.org", "Demoted")
				e.call("PATCH", "/v1/users/"+id, root, map[string]any{"roles": []string{"reader", "moderator"}}).want(t, http.StatusOK)
				access, refresh := e.login("demote-me@example.org", goodPassword)
				if p, err := remote.Verify(ctx, access); err != nil || !p.IsModerator() {
					t.Fatalf("before: %+v %v", p, err)
				}
				at := time.Now()
				e.call("PATCH", "/v1/users/"+id, root, map[string]any{"roles": []string{"reader"}}).want(t, http.StatusOK)
				testkit.Eventually(t, "the other target drops the moderator role", func() bool {
					p, err := remote.Verify(ctx, access)
					return err == nil && !p.Has(auth.RoleModerator) && p.Has(auth.RoleReader)
				})
				if took := time.Since(at); took > time.Second {
					t.Errorf("role removal took %s", took)
				}
				// A refreshed token, issued after the change, is not narrowed
				// further and carries the roles held now.
				r := e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}).want(t, http.StatusOK)
				e.call("PATCH", "/v1/users/"+id, root, map[string]any{"roles": []string{"reader", "author"}}).want(t, http.StatusOK)
				if p, err := remote.Verify(ctx, r.str("access_token")); err != nil || !p.Has(auth.RoleReader) {
					t.Fatalf("refreshed: %+v %v", p, err)
				}
			})

			t.Run("revoke_all_sessions", func(t *testing.T) {
				e.register("signout@example.org", "Signs out")
				first, _ := e.login("signout@example.org", goodPassword)
				second, _ := e.login("signout@example.org", goodPassword)
				at := time.Now()
				e.call("POST", "/v1/auth/logout", first, map[string]any{}).want(t, http.StatusNoContent)
				refusedWithin(t, remote, first, errs.Unauthenticated, at)
				refusedWithin(t, remote, second, errs.Unauthenticated, at)
				fresh, _ := e.login("signout@example.org", goodPassword)
				if _, err := remote.Verify(ctx, fresh); err != nil {
					t.Fatalf("a new session after signing out everywhere: %v", err)
				}
			})

			t.Run("one_session", func(t *testing.T) {
				e.register("one@example.org", "One")
				first, firstRefresh := e.login("one@example.org", goodPassword)
				second, _ := e.login("one@example.org", goodPassword)
				at := time.Now()
				e.call("POST", "/v1/auth/logout", "", map[string]any{"refresh_token": firstRefresh}).want(t, http.StatusNoContent)
				refusedWithin(t, remote, first, errs.Unauthenticated, at)
				if _, err := remote.Verify(ctx, second); err != nil {
					t.Fatalf("the other session ended too: %v", err)
				}
			})
		})
	}
}

func TestRevocationFeedNeedsTheServiceKey(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, moduletest.Stores(t)[0], nil, func(d *module.Deps) { d.ServiceKey = testServiceKey })
	for name, key := range map[string]string{"none": "", "wrong": "not-the-key"} {
		req, _ := http.NewRequest(http.MethodGet, e.url+auth.RevocationsPath, nil)
		if key != "" {
			req.Header.Set(auth.ServiceKeyHeader, key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, res.StatusCode)
		}
	}
	if _, err := (auth.HTTPFeed{URL: e.url, Key: testServiceKey}).RevocationsSince(context.Background(), time.Time{}, 10); err != nil {
		t.Fatal(err)
	}
}
