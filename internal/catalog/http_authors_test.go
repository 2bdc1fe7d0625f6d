package catalog

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func TestHTTPAuthorManagement(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, bob, carol, mod, admin := c.user(authorRole), c.user(readerRole), c.user(readerRole), c.user(moderatorRole), c.user(adminRole)
		aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Orphanage"}).str("id")
		path := "/v1/authors/" + aid

		t.Run("moderators_and_admins_manage_members_of_any_author", func(t *testing.T) {
			c.expect(http.StatusForbidden, "POST", path+"/members", carol, map[string]any{"user_id": bob})
			c.expect(http.StatusCreated, "POST", path+"/members", mod, map[string]any{"user_id": bob, "role": "member"})
			c.expect(http.StatusOK, "PATCH", path+"/members/"+bob, admin, map[string]any{"role": "owner"})
			c.expect(http.StatusNoContent, "DELETE", path+"/members/"+alice, mod, nil)
			c.expect(http.StatusConflict, "DELETE", path+"/members/"+bob, admin, nil)
			c.expect(http.StatusCreated, "POST", path+"/members", admin, map[string]any{"user_id": alice, "role": "member"})
		})
		// Now bob owns the author and alice is a plain member.
		t.Run("plain_members_neither_remove_nor_edit_the_author", func(t *testing.T) {
			c.expect(http.StatusForbidden, "DELETE", path, carol, nil)
			c.expect(http.StatusForbidden, "DELETE", path, alice, nil)
			c.expect(http.StatusForbidden, "PATCH", path, alice, map[string]any{"bio": "mine now"})
			if got := c.state(path, mod).str("status"); got != "active" {
				t.Fatalf("after a member's attempt the author is %s", got)
			}
		})
		t.Run("owners_remove_and_restore_their_author", func(t *testing.T) {
			c.expect(http.StatusNoContent, "DELETE", path, bob, nil)
			c.expect(http.StatusConflict, "PATCH", path, bob, map[string]any{"bio": "still here"})
			c.expect(http.StatusForbidden, "POST", path+"/restore", alice, nil)
			c.expect(http.StatusNotFound, "POST", path+"/restore", carol, nil) // hidden from non-members
			c.expect(http.StatusOK, "POST", path+"/restore", bob, nil)
			c.expect(http.StatusOK, "PATCH", path, bob, map[string]any{"bio": "back"})
		})
		t.Run("a_moderators_removal_only_moderators_restore", func(t *testing.T) {
			c.expect(http.StatusNoContent, "DELETE", path, mod, nil)
			if r := c.expect(http.StatusForbidden, "POST", path+"/restore", bob, nil); !strings.Contains(r.raw, "moderator") {
				t.Fatalf("the refusal does not say who may restore: %s", r.raw)
			}
			c.expect(http.StatusOK, "POST", path+"/restore", admin, nil)
		})
		t.Run("moderators_edit_any_profile", func(t *testing.T) {
			c.expect(http.StatusOK, "PATCH", path, mod, map[string]any{"bio": "moderated"})
		})
		t.Run("malformed_if_match_is_412_at_once", func(t *testing.T) {
			c.expect(http.StatusPreconditionFailed, "PATCH", path, bob, map[string]any{"bio": "x"}, "If-Match", "garbage")
			c.expect(http.StatusPreconditionFailed, "PATCH", path, carol, map[string]any{"bio": "x"}, "If-Match", `"0"`)
		})
	})
}

func TestCatalogUsesItsClock(t *testing.T) {
	t.Parallel()
	at := time.Date(2031, 2, 3, 4, 5, 6, 789123456, time.UTC)
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			c := startCatalogAt(t, s, nil, func() time.Time { return at })
			alice := c.user(authorRole)
			r := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Timely"})
			if want := at.Truncate(time.Microsecond).Format(time.RFC3339Nano); r.str("created_at") != want || r.str("updated_at") != want {
				t.Fatalf("created_at %s updated_at %s, want %s", r.str("created_at"), r.str("updated_at"), want)
			}
		})
	}
}
