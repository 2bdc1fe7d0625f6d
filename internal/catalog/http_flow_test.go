package catalog

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

func TestHTTPAuthorMemberMediaFlow(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, bob, carol := c.user(authorRole), c.user(readerRole), c.user(readerRole)
		mod, admin := c.user(moderatorRole), c.user(adminRole)

		// Authors and members.
		c.expect(http.StatusUnauthorized, "POST", "/v1/authors", "", map[string]any{"name": "X"})
		c.expect(http.StatusForbidden, "POST", "/v1/authors", carol, map[string]any{"name": "Carol"})
		author := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{
			"name": "Alice & Co", "bio": "We write.", "links": []map[string]string{{"title": "Web", "url": "https://alice.example"}}})
		aid := author.str("id")
		if author.header.Get("ETag") != `"1"` || author.header.Get("Location") != "/v1/authors/"+aid {
			t.Fatalf("create headers: %v", author.header)
		}
		authorPath := "/v1/authors/" + aid
		c.expect(http.StatusCreated, "POST", authorPath+"/members", alice, map[string]any{"user_id": bob, "role": "member"})
		c.expect(http.StatusConflict, "POST", authorPath+"/members", alice, map[string]any{"user_id": bob})
		unknown := c.call("POST", authorPath+"/members", alice, map[string]any{"user_id": "0190a000-0000-7000-8000-00000000abcd"})
		if unknown.status != http.StatusUnprocessableEntity || !fieldError(unknown, "user_id") {
			t.Fatalf("unknown user: %d %s", unknown.status, unknown.raw)
		}
		c.expect(http.StatusForbidden, "POST", authorPath+"/members", bob, map[string]any{"user_id": carol})
		c.expect(http.StatusConflict, "PATCH", authorPath+"/members/"+alice, alice, map[string]any{"role": "member"})
		c.expect(http.StatusConflict, "DELETE", authorPath+"/members/"+alice, alice, nil)
		if got := c.expect(http.StatusOK, "GET", authorPath+"/members", alice, nil).items(); len(got) != 2 {
			t.Fatalf("members: %v", got)
		}
		// Who acts for an author is for its members and moderators only.
		c.expect(http.StatusUnauthorized, "GET", authorPath+"/members", "", nil)
		c.expect(http.StatusForbidden, "GET", authorPath+"/members", carol, nil)
		c.expect(http.StatusOK, "GET", authorPath+"/members", mod, nil)
		if r := c.expect(http.StatusOK, "GET", authorPath, carol, nil); r.body["members"] != nil || r.str("name") == "" {
			t.Fatalf("a stranger sees members: %s", r.raw)
		}
		if r := c.expect(http.StatusOK, "GET", authorPath, bob, nil); len(r.body["members"].([]any)) != 2 {
			t.Fatalf("a member does not see the members: %s", r.raw)
		}
		for _, it := range c.expect(http.StatusOK, "GET", "/v1/authors?member_id="+alice, "", nil).items() {
			if it["members"] != nil {
				t.Fatalf("anonymous list shows members: %v", it)
			}
		}
		if got := c.expect(http.StatusOK, "GET", "/v1/authors?member_id="+alice, carol, nil).items(); len(got) != 0 {
			t.Fatalf("member_id filter reveals alice's authors to carol: %v", got)
		}
		if got := c.expect(http.StatusOK, "GET", "/v1/authors?member_id="+alice, bob, nil).items(); len(got) != 1 {
			t.Fatalf("member_id filter for a fellow member: %v", got)
		}
		c.expect(http.StatusForbidden, "PATCH", authorPath, carol, map[string]any{"bio": "vandal"})
		c.expect(http.StatusForbidden, "PATCH", authorPath, bob, map[string]any{"bio": "Bob edited"}, "If-Match", `"2"`)
		c.expect(http.StatusOK, "PATCH", authorPath, alice, map[string]any{"bio": "Alice edited"}, "If-Match", `"2"`)
		c.expect(http.StatusPreconditionFailed, "PATCH", authorPath, alice, map[string]any{"bio": "stale"}, "If-Match", `"2"`)

		// Categories: moderators only.
		c.expect(http.StatusForbidden, "POST", "/v1/categories", alice, map[string]any{"name": "Science"})
		cat := c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": "Science & Nature"})
		if cat.str("slug") != "science-nature" {
			t.Fatalf("derived slug %q", cat.str("slug"))
		}
		catID := cat.str("id")

		// Media.
		c.expect(http.StatusForbidden, "POST", "/v1/media", carol, map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}})
		draft := c.expect(http.StatusCreated, "POST", "/v1/media", bob, map[string]any{
			"title": "Draft", "kind": "book", "language": "EN-gb", "author_ids": []string{aid},
			"category_ids": []string{catID}, "tags": []string{" Go ", "go", "SQL"}, "license": "cc-by-4.0"})
		if draft.str("status") != "draft" || draft.str("language") != "en-GB" || draft.str("license") != "CC-BY-4.0" ||
			fmt.Sprint(draft.body["tags"]) != "[go sql]" {
			t.Fatalf("created media: %s", draft.raw)
		}
		mediaPath := "/v1/media/" + draft.str("id")
		var published []string
		for i, kind := range []string{"book", "video", "podcast", "video", "document"} {
			m := c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{
				"title": fmt.Sprintf("Public %d", i), "kind": kind, "author_ids": []string{aid}, "status": "published",
				"tags": []string{fmt.Sprintf("t%d", i%2)}})
			published = append(published, m.str("id"))
		}

		// Hidden drafts are 404 for everyone but members and moderators.
		c.expect(http.StatusNotFound, "GET", mediaPath, "", nil)
		c.expect(http.StatusNotFound, "GET", mediaPath, carol, nil)
		c.expect(http.StatusOK, "GET", mediaPath, bob, nil)
		c.expect(http.StatusOK, "GET", mediaPath, mod, nil)
		c.expect(http.StatusNotFound, "PATCH", mediaPath, carol, map[string]any{"title": "x"})

		// Lists, filters and pages.
		if got := listAll(t, c, "/v1/media?page_size=2&order_by=oldest", ""); fmt.Sprint(got) != fmt.Sprint(published) {
			t.Fatalf("anonymous pages: %v, want %v", got, published)
		}
		if got := listAll(t, c, "/v1/media?page_size=2&order_by=title", bob); len(got) != 6 {
			t.Fatalf("member pages: %v", got)
		}
		if got := listAll(t, c, "/v1/media?kind=video&tag=t1", ""); len(got) != 2 {
			t.Fatalf("kind and tag filter: %v", got)
		}
		if got := listAll(t, c, "/v1/media?category_id="+catID, bob); len(got) != 1 {
			t.Fatalf("category filter: %v", got)
		}
		if got := listAll(t, c, "/v1/media?status=draft", ""); len(got) != 0 {
			t.Fatalf("anonymous sees drafts: %v", got)
		}
		if got := listAll(t, c, "/v1/media?language=en-gb&author_id="+aid, bob); len(got) != 1 {
			t.Fatalf("language filter: %v", got)
		}

		// Updates: If-Match, stale, publish, forbidden.
		up := c.expect(http.StatusOK, "PATCH", mediaPath, bob, map[string]any{"title": "Renamed"}, "If-Match", `"1"`)
		if up.header.Get("ETag") != `"2"` || up.str("title") != "Renamed" {
			t.Fatalf("update: %v %s", up.header, up.raw)
		}
		c.expect(http.StatusPreconditionFailed, "PATCH", mediaPath, bob, map[string]any{"title": "Stale"}, "If-Match", `"1"`)
		c.expect(http.StatusUnprocessableEntity, "PATCH", mediaPath, bob, map[string]any{"kind": "video"})
		pub := c.expect(http.StatusOK, "PATCH", mediaPath, bob, map[string]any{"status": "published"})
		if pub.str("status") != "published" || pub.str("published_at") == "" {
			t.Fatalf("publish: %s", pub.raw)
		}
		c.expect(http.StatusForbidden, "PATCH", mediaPath, carol, map[string]any{"status": "draft"})
		c.expect(http.StatusOK, "GET", mediaPath, "", nil)

		// Soft delete, hidden, restore, hard delete.
		c.expect(http.StatusForbidden, "DELETE", mediaPath, carol, nil)
		c.expect(http.StatusNoContent, "DELETE", mediaPath, bob, nil)
		c.expect(http.StatusNotFound, "GET", mediaPath, "", nil)
		if r := c.expect(http.StatusOK, "GET", mediaPath, bob, nil); r.str("status") != "removed" {
			t.Fatalf("member reads removed: %s", r.raw)
		}
		if got := listAll(t, c, "/v1/media", bob); len(got) != 5 {
			t.Fatalf("default list includes removed: %v", got)
		}
		if got := listAll(t, c, "/v1/media?status=removed", mod); len(got) != 1 {
			t.Fatalf("moderator lists removed: %v", got)
		}
		c.expect(http.StatusForbidden, "POST", mediaPath+"/restore", bob, nil)
		if r := c.expect(http.StatusOK, "POST", mediaPath+"/restore", mod, nil); r.str("status") != "published" {
			t.Fatalf("restore: %s", r.raw)
		}
		c.expect(http.StatusForbidden, "DELETE", "/v1/admin/media/"+draft.str("id"), mod, nil)
		c.expect(http.StatusNoContent, "DELETE", "/v1/admin/media/"+draft.str("id"), admin, nil)
		c.expect(http.StatusNotFound, "GET", mediaPath, admin, nil)

		// Removing the author hides it and its media.
		c.expect(http.StatusForbidden, "DELETE", authorPath, carol, nil)
		c.expect(http.StatusNoContent, "DELETE", authorPath, alice, nil)
		c.expect(http.StatusNotFound, "GET", authorPath, "", nil)
		c.expect(http.StatusOK, "GET", authorPath, bob, nil)
		c.expect(http.StatusNotFound, "GET", "/v1/media/"+published[0], carol, nil)
		if got := listAll(t, c, "/v1/media", ""); len(got) != 0 {
			t.Fatalf("media of a removed author listed: %v", got)
		}
		// Its owner removed it: a plain member may not restore it, its owner may.
		c.expect(http.StatusForbidden, "POST", authorPath+"/restore", bob, nil)
		c.expect(http.StatusOK, "POST", authorPath+"/restore", alice, nil)
		// The media follow their author through the author-removal saga.
		eventually(t, "media restored with their author", func() bool {
			return c.call("GET", "/v1/media/"+published[0], carol, nil).status == http.StatusOK
		})
		c.expect(http.StatusOK, "GET", "/v1/media/"+published[0], carol, nil)

		// Members leave; admins purge.
		c.expect(http.StatusNoContent, "DELETE", authorPath+"/members/"+bob, bob, nil)
		c.expect(http.StatusForbidden, "DELETE", "/v1/admin/authors/"+aid, mod, nil)
		c.expect(http.StatusNoContent, "DELETE", "/v1/admin/authors/"+aid, admin, nil)
		c.expect(http.StatusNotFound, "GET", authorPath, admin, nil)
		c.expect(http.StatusNotFound, "GET", "/v1/media/"+published[0], admin, nil)
	})
}

// listAll follows next_page_token to the end and returns the item IDs.
func listAll(t *testing.T, c *api, path, user string) []string {
	t.Helper()
	var ids []string
	next := ""
	for pages := 0; ; pages++ {
		p := path
		if next != "" {
			sep := "?"
			if u, _ := url.Parse(path); u.RawQuery != "" {
				sep = "&"
			}
			p += sep + "page_token=" + url.QueryEscape(next)
		}
		r := c.expect(http.StatusOK, "GET", p, user, nil)
		for _, it := range r.items() {
			ids = append(ids, it["id"].(string))
		}
		if next = r.str("next_page_token"); next == "" || pages > 100 {
			return ids
		}
	}
}
