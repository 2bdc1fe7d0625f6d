package identity

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/auth"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

type outboxRow = moduletest.OutboxRow

// outbox reads the events recorded since the last call (moduletest.Outbox).
type outbox struct{ moduletest.Outbox }

func (o *outbox) next() []outboxRow { return o.Next() }

var withBrokerDown = moduletest.WithBrokerDown

// expect checks that exactly the given event types were recorded since the
// last call, in order, and returns their rows.
func (o *outbox) expect(what string, types ...string) []outboxRow {
	o.T.Helper()
	rows := o.next()
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = r.Type
	}
	if !slices.Equal(got, types) && (len(got) > 0 || len(types) > 0) {
		o.T.Fatalf("%s recorded %v, want %v", what, got, types)
	}
	return rows
}

func payloadOf(t *testing.T, r outboxRow) userV1 {
	t.Helper()
	if strings.Contains(string(r.Payload), "argon2") || strings.Contains(string(r.Payload), "password") {
		t.Fatalf("%s payload leaks a secret: %s", r.Type, r.Payload)
	}
	var u userV1
	if err := json.Unmarshal(r.Payload, &u); err != nil {
		t.Fatal(err)
	}
	var meta map[string]string
	if err := json.Unmarshal([]byte(r.Metadata), &meta); err != nil {
		t.Fatal(err)
	}
	if meta[bus.MetaSubject] != "user/"+u.ID || meta[bus.MetaKey] != u.ID || meta[bus.MetaType] != r.Type ||
		meta[bus.MetaSource] != "/alexandria/identity" || meta[bus.MetaID] == "" || meta[bus.MetaCorrelationID] == "" {
		t.Fatalf("%s metadata %v", r.Type, meta)
	}
	return u
}

func TestEventsRecordedWithEachChange(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, backend, nil, withBrokerDown)
			o := &outbox{moduletest.Outbox{T: t, DB: e.svc.db}}
			boot := o.expect("the first-administrator bootstrap", EventUserRegistered)
			if u := payloadOf(t, boot[0]); u.Email != testAdminEmail || !slices.Contains(u.Roles, auth.RoleAdmin) {
				t.Fatalf("bootstrap payload %+v", u)
			}
			admin := e.adminToken()
			adminID := e.call("GET", "/v1/users/me", admin, nil).want(t, http.StatusOK).str("id")
			o.expect("signing in")

			ivyID := e.register("ivy@example.org", "Ivy")
			// Sign-up also asks for the verification mail, in the same transaction.
			reg := o.expect("registering", EventUserRegistered, EventVerificationRequested)
			if u := payloadOf(t, reg[0]); u.ID != ivyID || u.Email != "ivy@example.org" || u.Version != 1 {
				t.Fatalf("registered payload %+v", u)
			}
			ivy, _ := e.login("ivy@example.org", goodPassword)
			path := "/v1/users/" + ivyID

			steps := []struct {
				name   string
				method string
				path   string
				token  string
				body   any
				status int
				events []string
				header []string
			}{
				{"duplicate_email_is_409", "POST", "/v1/users", "", map[string]any{"email": "IVY@example.org", "password": goodPassword, "display_name": "Ivy 2"},
					http.StatusConflict, nil, nil},
				{"weak_password_is_422", "POST", "/v1/users", "", map[string]any{"email": "jo@example.org", "password": "short", "display_name": "Jo"},
					http.StatusUnprocessableEntity, nil, nil},
				{"own_display_name", "PATCH", "/v1/users/me", ivy, map[string]any{"display_name": "Ivy L."},
					http.StatusOK, []string{EventUserUpdated}, nil},
				{"invalid_display_name_is_422", "PATCH", "/v1/users/me", ivy, map[string]any{"display_name": " "},
					http.StatusUnprocessableEntity, nil, nil},
				{"roles_by_admin", "PATCH", path, admin, map[string]any{"roles": []string{"author"}},
					http.StatusOK, []string{EventUserUpdated}, nil},
				{"stale_if_match_is_412", "PATCH", path, admin, map[string]any{"display_name": "Old"},
					http.StatusPreconditionFailed, nil, []string{"If-Match", `"1"`}},
				{"suspend", "PATCH", path, admin, map[string]any{"suspended": true},
					http.StatusOK, []string{EventUserSuspended}, nil},
				{"suspend_again_changes_nothing_others_care_about", "PATCH", path, admin, map[string]any{"suspended": true},
					http.StatusOK, nil, nil},
				{"rename_and_reinstate", "PATCH", path, admin, map[string]any{"display_name": "Ivy", "suspended": false},
					http.StatusOK, []string{EventUserUpdated, EventUserReinstated}, nil},
				{"suspending_yourself_is_409", "PATCH", "/v1/users/" + adminID, admin, map[string]any{"suspended": true},
					http.StatusConflict, nil, nil},
				{"dropping_own_admin_role_is_409", "PATCH", "/v1/users/" + adminID, admin, map[string]any{"roles": []string{"reader"}},
					http.StatusConflict, nil, nil},
				{"deleting_the_last_admin_is_409", "DELETE", "/v1/users/" + adminID, admin, nil,
					http.StatusConflict, nil, nil},
			}
			for _, s := range steps {
				e.call(s.method, s.path, s.token, s.body, s.header...).want(t, s.status)
				o.expect(s.name, s.events...)
			}

			ivy, _ = e.login("ivy@example.org", goodPassword)
			e.call("POST", "/v1/users/me/password", ivy, map[string]any{"current_password": goodPassword, "new_password": "another-Quiet-Harbor-9"}).
				want(t, http.StatusNoContent)
			o.expect("a password change")

			e.call("DELETE", path, admin, nil).want(t, http.StatusNoContent)
			del := o.expect("deleting", EventUserDeleted)
			if u := payloadOf(t, del[0]); u.ID != ivyID || u.DisplayName != "Ivy" || !slices.Equal(u.Roles, []string{"reader", "author"}) {
				t.Fatalf("deleted payload is not the user as it was: %+v", u)
			}
			e.call("DELETE", path, admin, nil).want(t, http.StatusNotFound)
			o.expect("deleting again")
		})
	}
}

// The bootstrap promotes an existing account with the admin email: that is
// a role change, and reinstates it if it was suspended.
func TestEventsOfBootstrapPromotion(t *testing.T) {
	t.Parallel()
	for _, backend := range moduletest.Stores(t) {
		t.Run(backend.Name, func(t *testing.T) {
			t.Parallel()
			h := moduletest.NewHarness(t, backend)
			withBrokerDown(&h.Deps)
			ctx := context.Background()
			sdb, err := db.Open(ctx, h.Deps.DB, db.Options{Service: "identity", DataDir: h.Deps.DataDir, Schema: h.Deps.DBSchema})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sdb.Migrate(ctx, Migrations); err != nil {
				t.Fatal(err)
			}
			existing := testUser(testAdminEmail)
			existing.Suspended = true
			if err := (&store{db: sdb}).createUser(ctx, existing); err != nil {
				t.Fatal(err)
			}
			_ = sdb.Close()

			cfg := DefaultConfig()
			cfg.AdminEmail, cfg.AdminPassword = testAdminEmail, testAdminPassword
			svc, err := New(ctx, cfg, h.Deps)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = svc.Close(context.Background()) })
			rows := (&outbox{moduletest.Outbox{T: t, DB: svc.db}}).expect("promoting", EventUserUpdated, EventUserReinstated)
			if u := payloadOf(t, rows[1]); u.ID != existing.ID || u.Suspended || !slices.Contains(u.Roles, auth.RoleAdmin) {
				t.Fatalf("promotion payload %+v", u)
			}
		})
	}
}

func TestUserEvents(t *testing.T) {
	t.Parallel()
	base := User{DisplayName: "A", Roles: []string{"reader"}}
	tests := []struct {
		name   string
		change func(u *User)
		want   []string
	}{
		{"password_only_is_silent", func(u *User) { u.PasswordHash = "x" }, nil},
		{"name_is_an_update", func(u *User) { u.DisplayName = "B" }, []string{EventUserUpdated}},
		{"roles_are_an_update", func(u *User) { u.Roles = []string{"reader", "author"} }, []string{EventUserUpdated}},
		{"suspension", func(u *User) { u.Suspended = true }, []string{EventUserSuspended}},
		{"update_then_suspension", func(u *User) { u.DisplayName, u.Suspended = "B", true }, []string{EventUserUpdated, EventUserSuspended}},
	}
	for _, tt := range tests {
		after := base
		tt.change(&after)
		if got := userEvents(base, after); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	before := base
	before.Suspended = true
	if got := userEvents(before, base); !slices.Equal(got, []string{EventUserReinstated}) {
		t.Errorf("reinstatement: %v", got)
	}
}
