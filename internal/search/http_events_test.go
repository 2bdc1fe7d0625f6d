package search

import (
	"net/http"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// Engagement's and processing's events through the real consumers:
// sort=popular follows likes and views, and an EPUB's passages name the
// chapter processing reported.
func TestHTTPEngagementAndEPUBFromEvents(t *testing.T) {
	t.Parallel()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, s)
			item := func(id, title string, extra map[string]any) map[string]any {
				m := map[string]any{"id": id, "title": title, "description": "", "kind": "book", "language": "en",
					"author_ids": []string{}, "category_ids": []string{}, "tags": []string{}, "license": "",
					"published_at": time.Now(), "status": "published", "created_at": time.Now(), "updated_at": time.Now(), "version": 1}
				for k, v := range extra {
					m[k] = v
				}
				return m
			}
			a, b := newID(), newID()
			// The EPUB: processing reports its table of contents, then
			// catalog publishes it with its text derivative.
			e.publish("processing", eventMediaProcessed, b, map[string]any{"media_id": b, "sha256": "ep1",
				"content": map[string]any{"content_type": contentTypeEPUB, "chapters": []map[string]any{
					{"title": "Beginnings", "href": "OEBPS/c1.xhtml", "section": 1}, {"title": "Airborne", "href": "OEBPS/c2.xhtml", "section": 2}}}})
			e.publish("catalog", eventMediaPublished, a, item(a, "Kite alpha", nil))
			e.publish("catalog", eventMediaPublished, b, item(b, "Kite beta", map[string]any{
				"content":     map[string]any{"size": 10, "sha256": "ep1", "content_type": contentTypeEPUB, "pages": 2},
				"derivatives": []map[string]any{{"kind": "text", "name": "text.txt", "url": "", "content_type": "text/plain", "size": 10}}}))
			e.eventually("EPUB text searchable", func() bool { return e.total("zeppelin") == 1 })
			code, body := e.get("/v1/media/"+b+"/search?q=zeppelin", "")
			items, _ := body["items"].([]any)
			if code != http.StatusOK || len(items) != 1 {
				t.Fatalf("search inside: %d %v", code, body)
			}
			p := items[0].(map[string]any)
			ch, _ := p["chapter"].(map[string]any)
			if p["section"] != 2.0 || p["position"] != 2.0 || ch == nil || ch["title"] != "Airborne" || ch["index"] != 2.0 || p["page"] != nil {
				t.Errorf("EPUB passage: %v", p)
			}

			first := func() string {
				_, body := e.get("/v1/search?q=kite&sort=popular", "")
				items, _ := body["items"].([]any)
				if len(items) != 2 {
					return ""
				}
				return items[0].(map[string]any)["media"].(map[string]any)["title"].(string)
			}
			// IDs are UUIDv7: with equal counts alpha comes first (ID order).
			if got := first(); got != "Kite alpha" {
				t.Errorf("before any engagement: %q first", got)
			}
			e.publish("engagement", eventLikeCreated, b, map[string]any{"user_id": newID(), "media_id": b, "at": time.Now()})
			e.publish("engagement", eventViewRecorded, a, map[string]any{"media_id": a, "views": 5, "unique_viewers": 5, "counted_at": time.Now()})
			e.eventually("the liked item first (10 > 5)", func() bool { return first() == "Kite beta" })
			e.publish("engagement", eventLikeDeleted, b, map[string]any{"user_id": newID(), "media_id": b, "at": time.Now()})
			e.eventually("the viewed item first once the like is taken back", func() bool { return first() == "Kite alpha" })
		})
	}
}
