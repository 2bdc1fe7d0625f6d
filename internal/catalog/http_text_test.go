package catalog

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// TestHTTPHostileText sends NUL (which PostgreSQL cannot store or compare)
// and other control or bidirectional override characters in every text
// field and filter: each is a 422 naming the field, never a 500.
func TestHTTPHostileText(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, mod := c.user(authorRole), c.user(moderatorRole)
		aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "A"}).str("id")
		mid := c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}}).str("id")
		cid := c.expect(http.StatusCreated, "POST", "/v1/categories", mod, map[string]any{"name": "C"}).str("id")
		const nul = "\u0000"
		media := func(field string, value any) map[string]any {
			b := map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}}
			b[field] = value
			return b
		}
		nulKey := httpx.EncodePageToken(position{Order: "name", Key: nul, ID: aid})
		tests := []struct {
			method, path, user string
			body               any
			field              string
		}{
			{"POST", "/v1/authors", alice, map[string]any{"name": "A" + nul}, "name"},
			{"POST", "/v1/authors", alice, map[string]any{"name": "A\u202eB"}, "name"},
			{"POST", "/v1/authors", alice, map[string]any{"name": "A", "bio": nul}, "bio"},
			{"POST", "/v1/authors", alice, map[string]any{"name": "A", "avatar": nul}, "avatar"},
			{"POST", "/v1/authors", alice, map[string]any{"name": "A", "links": []map[string]string{{"title": nul, "url": "https://x.org"}}}, "links[0].title"},
			{"POST", "/v1/authors", alice, map[string]any{"name": "A", "links": []map[string]string{{"title": "t", "url": "https://x.org/" + nul}}}, "links[0].url"},
			{"PATCH", "/v1/authors/" + aid, alice, map[string]any{"name": nul}, "name"},
			{"PATCH", "/v1/authors/" + aid, alice, map[string]any{"bio": "a\x1bb"}, "bio"},
			{"PATCH", "/v1/authors/" + aid, alice, map[string]any{"avatar": nul}, "avatar"},
			{"POST", "/v1/authors/" + aid + "/members", alice, map[string]any{"user_id": nul}, "user_id"},
			{"POST", "/v1/authors/" + aid + "/members", alice, map[string]any{"user_id": aid, "role": nul}, "role"},
			{"PATCH", "/v1/authors/" + aid + "/members/" + alice, alice, map[string]any{"role": nul}, "role"},
			{"POST", "/v1/media", alice, media("title", nul), "title"},
			{"POST", "/v1/media", alice, media("title", "x\u2066y"), "title"},
			{"POST", "/v1/media", alice, media("description", nul), "description"},
			{"POST", "/v1/media", alice, media("kind", nul), "kind"},
			{"POST", "/v1/media", alice, media("language", nul), "language"},
			{"POST", "/v1/media", alice, media("license", nul), "license"},
			{"POST", "/v1/media", alice, media("status", nul), "status"},
			{"POST", "/v1/media", alice, media("tags", []string{nul}), "tags[0]"},
			{"POST", "/v1/media", alice, media("author_ids", []string{nul}), "author_ids[0]"},
			{"POST", "/v1/media", alice, media("category_ids", []string{nul}), "category_ids[0]"},
			{"PATCH", "/v1/media/" + mid, alice, map[string]any{"title": nul}, "title"},
			{"PATCH", "/v1/media/" + mid, alice, map[string]any{"description": nul}, "description"},
			{"PATCH", "/v1/media/" + mid, alice, map[string]any{"kind": nul}, "kind"},
			{"PATCH", "/v1/media/" + mid, alice, map[string]any{"language": nul}, "language"},
			{"PATCH", "/v1/media/" + mid, alice, map[string]any{"license": nul}, "license"},
			{"PATCH", "/v1/media/" + mid, alice, map[string]any{"tags": []string{"ok", nul}}, "tags[1]"},
			{"PATCH", "/v1/media/" + mid, alice, map[string]any{"author_ids": []string{nul}}, "author_ids[0]"},
			{"PATCH", "/v1/media/" + mid, alice, map[string]any{"category_ids": []string{nul}}, "category_ids[0]"},
			{"POST", "/v1/categories", mod, map[string]any{"name": nul}, "name"},
			{"POST", "/v1/categories", mod, map[string]any{"name": "N", "slug": nul}, "slug"},
			{"POST", "/v1/categories", mod, map[string]any{"name": "N", "description": nul}, "description"},
			{"POST", "/v1/categories", mod, map[string]any{"name": "N", "parent_id": nul}, "parent_id"},
			{"PATCH", "/v1/categories/" + cid, mod, map[string]any{"name": "N" + nul}, "name"},
			{"PATCH", "/v1/categories/" + cid, mod, map[string]any{"slug": nul}, "slug"},
			{"PATCH", "/v1/categories/" + cid, mod, map[string]any{"description": nul}, "description"},
			{"PATCH", "/v1/categories/" + cid, mod, map[string]any{"parent_id": nul}, "parent_id"},
			{"GET", "/v1/authors?q=" + url.QueryEscape(nul), "", nil, "q"},
			{"GET", "/v1/authors?q=" + url.QueryEscape("a\u202eb"), "", nil, "q"},
			{"GET", "/v1/authors?member_id=" + url.QueryEscape(nul), alice, nil, "member_id"},
			{"GET", "/v1/authors?status=" + url.QueryEscape(nul), "", nil, "status"},
			{"GET", "/v1/authors?order_by=name&page_token=" + nulKey, "", nil, "page_token"},
			{"GET", "/v1/media?tag=" + url.QueryEscape(nul), "", nil, "tag"},
			{"GET", "/v1/media?language=" + url.QueryEscape(nul), "", nil, "language"},
			{"GET", "/v1/media?author_id=" + url.QueryEscape(nul), "", nil, "author_id"},
			{"GET", "/v1/media?category_id=" + url.QueryEscape(nul), "", nil, "category_id"},
			{"GET", "/v1/media?kind=" + url.QueryEscape(nul), "", nil, "kind"},
			{"GET", "/v1/media?order_by=" + url.QueryEscape(nul), "", nil, "order_by"},
			{"GET", "/v1/categories?parent_id=" + url.QueryEscape(nul), "", nil, "parent_id"},
			{"GET", "/v1/categories?page_token=" + url.QueryEscape(nul), "", nil, "page_token"},
		}
		for _, tt := range tests {
			r := c.call(tt.method, tt.path, tt.user, tt.body)
			if r.status != http.StatusUnprocessableEntity || !fieldError(r, tt.field) {
				t.Errorf("%s %s %v: %d, want 422 on %s: %s", tt.method, tt.path, tt.body, r.status, tt.field, r.raw)
			}
		}
		for _, path := range []string{"/v1/media/" + nul, "/v1/authors/" + nul + "/members", "/v1/categories/" + nul} {
			if r := c.call("GET", strings.ReplaceAll(path, nul, "%00"), "", nil); r.status != http.StatusNotFound {
				t.Errorf("GET %q: %d, want 404: %s", path, r.status, r.raw)
			}
		}
	})
}

// TestOversizedListsFailFast: the request schemas bound every list, so a
// huge one is refused with one short error before any rule runs.
func TestOversizedListsFailFast(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice := c.user(authorRole)
		aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "A"}).str("id")
		mid := c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}}).str("id")
		many := func(n int, s string) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = s
			}
			return out
		}
		for _, tt := range []struct {
			method, path string
			body         map[string]any
			field        string
		}{
			{"POST", "/v1/media", map[string]any{"title": "T", "kind": "book", "author_ids": many(51, "nope")}, "author_ids"},
			{"POST", "/v1/media", map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}, "tags": many(101, "x")}, "tags"},
			{"POST", "/v1/media", map[string]any{"title": "T", "kind": "book", "author_ids": []string{aid}, "category_ids": many(21, "nope")}, "category_ids"},
			{"PATCH", "/v1/media/" + mid, map[string]any{"author_ids": many(51, "nope")}, "author_ids"},
			{"PATCH", "/v1/media/" + mid, map[string]any{"tags": many(101, "x")}, "tags"},
			{"PATCH", "/v1/media/" + mid, map[string]any{"category_ids": many(21, "nope")}, "category_ids"},
			{"POST", "/v1/authors", map[string]any{"name": "A", "links": manyLinks(11)}, "links"},
		} {
			r := c.call(tt.method, tt.path, alice, tt.body)
			list, _ := r.body["errors"].([]any)
			if r.status != http.StatusUnprocessableEntity || len(list) != 1 || !fieldError(r, tt.field) {
				t.Errorf("%s %s with an oversized %s: %d %s", tt.method, tt.path, tt.field, r.status, r.raw)
			}
		}
		doc := c.expect(http.StatusOK, "GET", "/openapi.json", "", nil).raw
		for _, want := range []string{`"maxItems":50`, `"maxItems":100`, `"maxItems":20`} {
			if !strings.Contains(doc, want) {
				t.Errorf("openapi.json lacks %s", want)
			}
		}
	})
}

func manyLinks(n int) []map[string]string {
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = map[string]string{"title": "t", "url": "https://example.org"}
	}
	return out
}
