package identity

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// Moderators suspend readers and authors through POST /v1/users/{id}/suspension,
// by the same path as an administrator's PATCH: sessions end, the revocation
// list refuses the tokens elsewhere, identity.user.suspended is published.
func TestHTTPModeratorSuspension(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, backend, nil, func(d *module.Deps) {
				withBrokerDown(d)
				d.ServiceKey = testServiceKey
			})
			remote := remoteTarget(t, e, testServiceKey)
			o := &outbox{moduletest.Outbox{T: t, DB: e.svc.db}}
			o.expect("the first-administrator bootstrap", EventUserRegistered)
			admin := e.adminToken()
			adminID := e.call("GET", "/v1/users/me", admin, nil).want(t, http.StatusOK).str("id")

			readerID := e.register("rita@example.org", "Rita")
			authorID := e.register("aldo@example.org", "Aldo")
			modID := e.register("mona@example.org", "Mona")
			otherModID := e.register("otto@example.org", "Otto")
			e.call("PATCH", "/v1/users/"+authorID, admin, map[string]any{"roles": []string{"author"}}).want(t, http.StatusOK)
			e.call("PATCH", "/v1/users/"+modID, admin, map[string]any{"roles": []string{"moderator"}}).want(t, http.StatusOK)
			e.call("PATCH", "/v1/users/"+otherModID, admin, map[string]any{"roles": []string{"moderator"}}).want(t, http.StatusOK)
			reader, readerRefresh := e.login("rita@example.org", goodPassword)
			author, _ := e.login("aldo@example.org", goodPassword)
			mod, _ := e.login("mona@example.org", goodPassword)
			signUp := []string{EventUserRegistered, EventVerificationRequested}
			o.expect("registrations and role changes", slices.Concat(signUp, signUp, signUp, signUp, []string{EventUserUpdated,
				EventUserUpdated, EventUserUpdated})...)
			suspension := func(id string) string { return "/v1/users/" + id + "/suspension" }

			t.Run("reader_and_author_may_not_suspend", func(t *testing.T) {
				e.call("POST", suspension(authorID), reader, map[string]any{"reason": "spam"}).want(t, http.StatusForbidden)
				e.call("POST", suspension(readerID), author, nil).want(t, http.StatusForbidden)
				e.call("DELETE", suspension(readerID), reader, nil).want(t, http.StatusForbidden)
				e.call("POST", suspension(readerID), "", nil).want(t, http.StatusUnauthorized)
				o.expect("refused suspensions")
			})
			t.Run("moderator_may_not_suspend_staff_or_self", func(t *testing.T) {
				e.call("POST", suspension(otherModID), mod, nil).want(t, http.StatusForbidden)
				e.call("POST", suspension(adminID), mod, map[string]any{"reason": "x"}).want(t, http.StatusForbidden)
				e.call("POST", suspension(modID), mod, nil).want(t, http.StatusConflict)
				e.call("POST", suspension(adminID), admin, nil).want(t, http.StatusConflict)
				e.call("POST", "/v1/users/01900000-0000-7000-8000-000000000000/suspension", mod, nil).want(t, http.StatusNotFound)
				e.call("POST", suspension(readerID), mod, map[string]any{"reason": "x", "extra": 1}).want(t, http.StatusUnprocessableEntity)
				o.expect("refused suspensions")
				e.call("GET", "/v1/users/me", reader, nil).want(t, http.StatusOK)
			})
			t.Run("moderator_suspends_a_reader_and_their_tokens_are_refused", func(t *testing.T) {
				if _, err := remote.Verify(context.Background(), reader); err != nil {
					t.Fatal(err)
				}
				at := time.Now()
				r := e.call("POST", suspension(readerID), mod, map[string]any{"reason": "report 42: spam"}).want(t, http.StatusOK)
				if r.body["suspended"] != true || r.str("id") != readerID {
					t.Fatalf("suspended = %s", r.raw)
				}
				o.expect("a moderator's suspension", EventUserSuspended)
				e.call("GET", "/v1/users/me", reader, nil).want(t, http.StatusForbidden)
				e.call("POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": readerRefresh}).want(t, http.StatusForbidden)
				refusedWithin(t, remote, reader, errs.Forbidden, at)
				e.call("POST", "/v1/auth/token", "", map[string]any{"email": "rita@example.org", "password": goodPassword}).want(t, http.StatusForbidden)
			})
			t.Run("moderator_suspends_an_author_and_reinstates_them", func(t *testing.T) {
				e.call("POST", suspension(authorID), mod, nil).want(t, http.StatusOK)
				o.expect("suspending the author", EventUserSuspended)
				e.call("GET", "/v1/users/me", author, nil).want(t, http.StatusForbidden)
				r := e.call("DELETE", suspension(authorID), mod, nil).want(t, http.StatusOK)
				if r.body["suspended"] != false {
					t.Fatalf("reinstated = %s", r.raw)
				}
				o.expect("reinstating the author", EventUserReinstated)
				e.login("aldo@example.org", goodPassword)
			})
			t.Run("admin_suspends_a_moderator", func(t *testing.T) {
				e.call("POST", suspension(otherModID), admin, map[string]any{"reason": "abuse"}).want(t, http.StatusOK)
				o.expect("suspending a moderator", EventUserSuspended)
				e.call("DELETE", suspension(otherModID), mod, nil).want(t, http.StatusForbidden)
				e.call("DELETE", suspension(otherModID), admin, nil).want(t, http.StatusOK)
				o.expect("reinstating a moderator", EventUserReinstated)
			})
		})
	}
}
