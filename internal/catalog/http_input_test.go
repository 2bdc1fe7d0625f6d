package catalog

import (
	"net/http"
	"strings"
	"testing"
)

func TestHTTPHostileInput(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, mod := c.user(authorRole), c.user(moderatorRole)
		aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "A"}).str("id")
		removedCat := c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": "Old"}).str("id")
		c.expect(http.StatusNoContent, "DELETE", "/v1/categories/"+removedCat, mod, nil)
		c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "B"})
		nameToken := c.expect(http.StatusOK, "GET", "/v1/authors?page_size=1&order_by=name", "", nil).str("next_page_token")
		if nameToken == "" {
			t.Fatal("no next page token with two authors and page_size 1")
		}

		tests := []struct {
			name        string
			method, url string
			user        string
			body        any
			status      int
			field       string
		}{
			{"unknown_field_is_422", "POST", "/v1/authors", alice, map[string]any{"name": "X", "owner": "me"}, 422, ""},
			{"oversized_body_is_413", "POST", "/v1/authors", alice, `{"name":"X","bio":"` + strings.Repeat("a", 70<<10) + `"}`, 413, ""},
			{"malformed_json_is_rejected", "POST", "/v1/authors", alice, `{"name":`, 400, ""},
			{"bad_uuid_in_path_is_404", "GET", "/v1/media/not-a-uuid", "", nil, 404, ""},
			{"bad_uuid_patch_is_404", "PATCH", "/v1/authors/123", alice, map[string]any{"bio": "x"}, 404, ""},
			{"bad_uuid_member_is_404", "DELETE", "/v1/authors/" + aid + "/members/nope", alice, nil, 404, ""},
			{"bad_uuid_category_is_404", "DELETE", "/v1/categories/nope", mod, nil, 404, ""},
			{"bad_page_token_is_422", "GET", "/v1/media?page_token=%21%21", "", nil, 422, "page_token"},
			{"token_of_other_order_is_422", "GET", "/v1/authors?order_by=newest&page_token=" + nameToken, "", nil, 422, "page_token"},
			{"page_size_1000_is_422", "GET", "/v1/media?page_size=1000", "", nil, 422, "page_size"},
			{"page_size_0_is_422", "GET", "/v1/categories?page_size=0", "", nil, 422, "page_size"},
			{"bad_filter_id_is_422", "GET", "/v1/media?author_id=xyz", "", nil, 422, "author_id"},
			{"bad_order_is_422", "GET", "/v1/media?order_by=random", "", nil, 422, "order_by"},
			{"bad_language_is_422", "POST", "/v1/media", alice, map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}, "language": "not a tag"}, 422, "language"},
			{"unknown_license_is_422", "POST", "/v1/media", alice, map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}, "license": "Proprietary"}, 422, "license"},
			{"long_tag_is_422", "POST", "/v1/media", alice, map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}, "tags": []string{"ok", strings.Repeat("x", 51)}}, 422, "tags[1]"},
			{"removed_category_is_422", "POST", "/v1/media", alice, map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}, "category_ids": []string{removedCat}}, 422, "category_ids[0]"},
			{"unknown_author_is_422", "POST", "/v1/media", alice, map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid, "0190a000-0000-7000-8000-000000000009"}}, 422, "author_ids[1]"},
			{"bad_kind_is_422", "POST", "/v1/media", alice, map[string]any{"title": "T", "kind": "movie", "author_ids": []string{aid}}, 422, "kind"},
			{"relative_link_is_422", "POST", "/v1/authors", alice, map[string]any{"name": "X", "links": []map[string]string{{"title": "x", "url": "ftp://x"}}}, 422, "links[0].url"},
			{"javascript_avatar_is_422", "POST", "/v1/authors", alice, map[string]any{"name": "X", "avatar": "javascript:alert(1)"}, 422, "avatar"},
			{"data_avatar_is_422", "POST", "/v1/authors", alice, map[string]any{"name": "X", "avatar": "data:image/svg+xml,<svg onload=alert(1)>"}, 422, "avatar"},
			{"file_avatar_is_422", "POST", "/v1/authors", alice, map[string]any{"name": "X", "avatar": "file:///etc/passwd"}, 422, "avatar"},
			{"relative_avatar_is_422", "PATCH", "/v1/authors/" + aid, alice, map[string]any{"avatar": "/img/me.png"}, 422, "avatar"},
			{"bad_slug_is_422", "POST", "/v1/categories", mod, map[string]any{"name": "X", "slug": "Not A Slug"}, 422, "slug"},
			{"anonymous_write_is_401", "POST", "/v1/media", "", map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}}, 401, ""},
		}
		if doc := c.expect(http.StatusOK, "GET", "/openapi.json", "", nil); !strings.Contains(doc.raw, `"author-create"`) ||
			!strings.Contains(doc.raw, `"/v1/admin/media/{id}"`) {
			t.Errorf("openapi.json lacks catalog operations")
		}
		for _, tt := range tests {
			r := c.call(tt.method, tt.url, tt.user, tt.body)
			if r.status != tt.status && (tt.status != 400 || r.status != 422) {
				t.Errorf("%s: status %d, want %d: %s", tt.name, r.status, tt.status, r.raw)
				continue
			}
			if tt.field != "" && !fieldError(r, tt.field) {
				t.Errorf("%s: no error on field %s: %s", tt.name, tt.field, r.raw)
			}
			if ct := r.header.Get("Content-Type"); r.status >= 400 && !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("%s: content type %q", tt.name, ct)
			}
		}
	})
}

func TestHTTPCategories(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		mod, admin, reader := c.user(moderatorRole), c.user(adminRole), c.user(readerRole)
		root := c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": "Arts"}).str("id")
		child := c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": "Music", "parent_id": root}).str("id")
		grand := c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": "Jazz", "slug": "jazz-music", "parent_id": child}).str("id")
		c.expect(http.StatusConflict, "POST", "/v1/categories", mod, map[string]any{"name": "Jazz music"})
		c.expect(http.StatusUnprocessableEntity, "POST", "/v1/categories", mod, map[string]any{"name": "Orphan", "parent_id": "0190a000-0000-7000-8000-000000000009"})

		c.expect(http.StatusConflict, "PATCH", "/v1/categories/"+root, mod, map[string]any{"parent_id": grand})
		c.expect(http.StatusUnprocessableEntity, "PATCH", "/v1/categories/"+root, mod, map[string]any{"parent_id": root})
		c.expect(http.StatusForbidden, "PATCH", "/v1/categories/"+root, reader, map[string]any{"name": "Mine"})
		up := c.expect(http.StatusOK, "PATCH", "/v1/categories/"+grand, mod, map[string]any{"parent_id": ""}, "If-Match", `"1"`)
		if up.body["parent_id"] != nil || up.header.Get("ETag") != `"2"` {
			t.Fatalf("move to top level: %s", up.raw)
		}
		c.expect(http.StatusPreconditionFailed, "PATCH", "/v1/categories/"+grand, mod, map[string]any{"name": "Bebop"}, "If-Match", `"1"`)
		if got := listAll(t, c, "/v1/categories?parent_id=root&page_size=1", ""); len(got) != 2 {
			t.Fatalf("top level: %v", got)
		}
		if got := listAll(t, c, "/v1/categories?parent_id="+root, ""); len(got) != 1 || got[0] != child {
			t.Fatalf("children of root: %v", got)
		}
		c.expect(http.StatusUnprocessableEntity, "GET", "/v1/categories?parent_id=top", "", nil)

		c.expect(http.StatusForbidden, "DELETE", "/v1/categories/"+child, reader, nil)
		c.expect(http.StatusConflict, "DELETE", "/v1/categories/"+root, mod, nil)
		c.expect(http.StatusNoContent, "DELETE", "/v1/categories/"+child, mod, nil)
		c.expect(http.StatusNotFound, "GET", "/v1/categories/"+child, reader, nil)
		c.expect(http.StatusOK, "GET", "/v1/categories/"+child, mod, nil)
		c.expect(http.StatusNoContent, "DELETE", "/v1/categories/"+root, mod, nil)
		c.expect(http.StatusConflict, "POST", "/v1/categories/"+child+"/restore", mod, nil)
		c.expect(http.StatusNotFound, "POST", "/v1/categories/"+root+"/restore", reader, nil)
		c.expect(http.StatusOK, "POST", "/v1/categories/"+root+"/restore", mod, nil)
		c.expect(http.StatusOK, "POST", "/v1/categories/"+child+"/restore", mod, nil)

		c.expect(http.StatusForbidden, "DELETE", "/v1/admin/categories/"+grand, mod, nil)
		c.expect(http.StatusConflict, "DELETE", "/v1/admin/categories/"+root, admin, nil)
		c.expect(http.StatusNoContent, "DELETE", "/v1/admin/categories/"+grand, admin, nil)
		c.expect(http.StatusNotFound, "GET", "/v1/categories/"+grand, admin, nil)
	})
}
