package catalog

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// identityUserEvent is an identity user event as identity's relay sends it.
func identityUserEvent(typ, userID string, version int64, suspended bool) bus.Event {
	data, _ := json.Marshal(map[string]any{"id": userID, "email": userID + "@example.org", "display_name": "U",
		"roles": []string{"reader", "author"}, "suspended": suspended, "version": version})
	return bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, Source: "/alexandria/identity",
		Subject: "user/" + userID, Key: userID, Time: time.Now().UTC(), Data: data}
}

func TestBlockedUsersCannotWrite(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, mod := c.user(authorRole), c.user(moderatorRole)
		aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Alice"}).str("id")
		canWrite := func() bool {
			return c.call("PATCH", "/v1/authors/"+aid, alice, map[string]any{"bio": uuid.NewString()}).status == http.StatusOK
		}

		c.publish(identityUserEvent(eventIdentityUserSuspended, alice, 2, true))
		eventually(t, "the suspension reaches catalog", func() bool { return !canWrite() })
		for _, r := range []reply{
			c.call("PATCH", "/v1/authors/"+aid, alice, map[string]any{"bio": "x"}),
			c.call("POST", "/v1/authors", alice, map[string]any{"name": "Another"}),
			c.call("DELETE", "/v1/authors/"+aid, alice, nil),
		} {
			if r.status != http.StatusForbidden || r.str("detail") != "account suspended" {
				t.Fatalf("write by a suspended user: %d %s", r.status, r.raw)
			}
		}
		// Reading stays open, and others are unaffected.
		c.expect(http.StatusOK, "GET", "/v1/authors/"+aid, alice, nil)
		c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": "Fine"})

		c.publish(identityUserEvent(eventIdentityUserReinstated, alice, 3, false))
		eventually(t, "the reinstatement reaches catalog", canWrite)
		// An older suspension arriving late changes nothing.
		c.publish(identityUserEvent(eventIdentityUserSuspended, alice, 2, true))
		eventually(t, "the late event is handled", func() bool { return c.handled(eventIdentityUserSuspended, "ok") >= 2 })
		if !canWrite() {
			t.Fatal("a late, older suspension blocked the user again")
		}

		c.publish(identityUserEvent(eventIdentityUserDeleted, alice, 3, false))
		eventually(t, "the deletion reaches catalog", func() bool { return !canWrite() })
		// Deletion is final, whatever arrives later.
		c.publish(identityUserEvent(eventIdentityUserReinstated, alice, 9, false))
		eventually(t, "the late event is handled", func() bool { return c.handled(eventIdentityUserReinstated, "ok") >= 2 })
		c.expect(http.StatusForbidden, "POST", "/v1/authors", alice, map[string]any{"name": "Ghost"})
	})
}
