package catalog

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

func pipelineEvent(source, typ, mediaID string, data map[string]any) bus.Event {
	data["media_id"] = mediaID
	b, _ := json.Marshal(data)
	return bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, Source: source, Subject: "media/" + mediaID,
		Key: mediaID, Time: time.Now().UTC(), Data: b}
}

func uploaded(mediaID, key string) bus.Event {
	return pipelineEvent("/alexandria/storage", eventUploadCompleted, mediaID, map[string]any{"object_key": key})
}

// uploadedAt is storage's report of an upload recorded at completedAt:
// storage's completed_at grows with every file it records for an item.
func uploadedAt(mediaID, key string, completedAt time.Time) bus.Event {
	return pipelineEvent("/alexandria/storage", eventUploadCompleted, mediaID, map[string]any{"object_key": key,
		"completed_at": completedAt.UTC().Format(time.RFC3339Nano)})
}

func processed(mediaID, key string) bus.Event {
	return pipelineEvent("/alexandria/processing", eventMediaProcessed, mediaID, map[string]any{
		"object_key": key,
		"content":    map[string]any{"size": 1234, "sha256": "ab", "content_type": "application/pdf", "pages": 3},
		"derivatives": []map[string]any{{"kind": "cover", "object_key": "derivatives/" + mediaID + "/ab/cover.jpg",
			"content_type": "image/jpeg", "size": 99}},
	})
}

func failed(mediaID, key, reason string) bus.Event {
	return pipelineEvent("/alexandria/processing", eventProcessingFailed, mediaID, map[string]any{"object_key": key, "reason": reason})
}

// TestProcessingSaga drives a media item through upload → processing →
// published, a failed reprocessing, and stale reports about an older file.
func TestProcessingSaga(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, mod := c.user(authorRole), c.user(moderatorRole)
		aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Uploader"}).str("id")
		mid := c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{
			"title": "A book", "kind": "book", "author_ids": []string{aid}}).str("id")
		status := func() reply { return c.state("/v1/media/"+mid, mod) }

		access := c.expect(http.StatusOK, "GET", "/v1/media/"+mid+"/access", alice, nil)
		if access.body["can_edit"] != true || access.body["can_view"] != true || access.body["public"] != false || access.str("kind") != "book" {
			t.Fatalf("member's access %v", access.body)
		}
		c.expect(http.StatusNotFound, "GET", "/v1/media/"+mid+"/access", "", nil)
		if modAccess := c.expect(http.StatusOK, "GET", "/v1/media/"+mid+"/access", mod, nil); modAccess.body["can_edit"] != false {
			t.Fatalf("a moderator who is not a member may not upload: %v", modAccess.body)
		}

		c.publish(uploaded(mid, "content/aa/first"))
		eventually(t, "processing", func() bool { return status().str("status") == "processing" })
		c.expect(http.StatusConflict, "PATCH", "/v1/media/"+mid, alice, map[string]any{"status": "published"})

		// A report about another file is stale.
		c.publish(processed(mid, "content/zz/other"))
		c.publish(processed(mid, "content/aa/first"))
		// Processed, the draft stays a draft until a member publishes it.
		eventually(t, "processed", func() bool { return status().body["content"] != nil })
		if got := status().str("status"); got != "draft" {
			t.Fatalf("after processing a draft is %s, want draft", got)
		}
		c.expect(http.StatusOK, "PATCH", "/v1/media/"+mid, alice, map[string]any{"status": "published"})
		m := status()
		content, _ := m.body["content"].(map[string]any)
		derivs, _ := m.body["derivatives"].([]any)
		if content["content_type"] != "application/pdf" || content["url"] != "/v1/media/"+mid+"/content" || len(derivs) != 1 {
			t.Fatalf("published item: content %v derivatives %v", content, derivs)
		}
		if d := derivs[0].(map[string]any); d["url"] != "/v1/media/"+mid+"/derivatives/cover.jpg" || d["kind"] != "cover" {
			t.Fatalf("derivative %v", d)
		}
		if c.expect(http.StatusOK, "GET", "/v1/media/"+mid+"/access", "", nil).body["public"] != true {
			t.Fatal("a published item's files are public")
		}

		// A new upload replaces the file and reprocesses; it fails.
		c.publish(uploaded(mid, "content/bb/second"))
		eventually(t, "reprocessing", func() bool { return status().str("status") == "processing" })
		if status().body["content"] != nil {
			t.Fatal("the old file's content is still shown while the new one is processed")
		}
		c.publish(failed(mid, "content/aa/first", "stale failure"))
		c.publish(failed(mid, "content/bb/second", "the file is not a valid EPUB"))
		eventually(t, "failed", func() bool { return status().str("status") == "failed" })
		if r := status().str("status_reason"); r != "the file is not a valid EPUB" {
			t.Fatalf("status_reason %q", r)
		}
		// Members may take a failed item back to draft.
		c.expect(http.StatusOK, "PATCH", "/v1/media/"+mid, alice, map[string]any{"status": "draft"})
		if got := c.published(EventMediaPublished); got != 1 {
			t.Fatalf("%d media.published events, want 1", got)
		}
	})
}

// TestProcessingReturnsTheItemToItsStatus: processing a new file never
// publishes on its own; the item comes back to the status it had before
// the upload (a failed processing in between does not count).
func TestProcessingReturnsTheItemToItsStatus(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, mod := c.user(authorRole), c.user(moderatorRole)
		aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Uploader"}).str("id")
		// upload reports a new file and waits until catalog has seen it:
		// processing's report travels on another topic and could overtake it.
		uploads := 0
		upload := func(mid, key string) {
			uploads++
			c.publish(uploaded(mid, key))
			eventually(t, "the upload is handled", func() bool { return c.handled(eventUploadCompleted, "ok") == uploads })
		}
		cases := []struct {
			name    string
			created string
			steps   func(mid string)
			want    string
		}{
			{"draft_stays_draft", "draft", func(mid string) {
				upload(mid, "content/aa/d1")
				c.publish(processed(mid, "content/aa/d1"))
			}, "draft"},
			{"published_stays_published", "published", func(mid string) {
				upload(mid, "content/aa/p1")
				c.publish(processed(mid, "content/aa/p1"))
			}, "published"},
			{"draft_failed_then_fixed_stays_draft", "draft", func(mid string) {
				upload(mid, "content/aa/f1")
				c.publish(failed(mid, "content/aa/f1", "broken"))
				eventually(t, "failed", func() bool { return c.state("/v1/media/"+mid, mod).str("status") == "failed" })
				upload(mid, "content/aa/f2")
				c.publish(processed(mid, "content/aa/f2"))
			}, "draft"},
			{"published_failed_then_fixed_is_published_again", "published", func(mid string) {
				upload(mid, "content/aa/g1")
				c.publish(failed(mid, "content/aa/g1", "broken"))
				eventually(t, "failed", func() bool { return c.state("/v1/media/"+mid, mod).str("status") == "failed" })
				upload(mid, "content/aa/g2")
				c.publish(processed(mid, "content/aa/g2"))
			}, "published"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				mid := c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{
					"title": "A book", "kind": "book", "author_ids": []string{aid}, "status": tc.created}).str("id")
				tc.steps(mid)
				eventually(t, "processed", func() bool { return c.state("/v1/media/"+mid, mod).body["content"] != nil })
				if got := c.state("/v1/media/"+mid, mod); got.str("status") != tc.want {
					t.Fatalf("status %s, want %s", got.str("status"), tc.want)
				}
			})
		}
	})
}

// TestUploadReportsOutOfOrder: storage's reports may arrive in another order
// than storage recorded the files (two simultaneous uploads); the item
// follows the file recorded last, never an older one that arrives late, so
// its processing result settles it.
func TestUploadReportsOutOfOrder(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, mod := c.user(authorRole), c.user(moderatorRole)
		aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Uploader"}).str("id")
		mid := c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{
			"title": "A book", "kind": "book", "author_ids": []string{aid}}).str("id")
		status := func() reply { return c.state("/v1/media/"+mid, mod) }
		first := time.Now().UTC()
		c.publish(uploadedAt(mid, "content/bb/later", first.Add(time.Millisecond)))
		eventually(t, "processing", func() bool { return status().str("status") == "processing" })
		c.publish(uploadedAt(mid, "content/aa/earlier", first))
		eventually(t, "the late report is handled", func() bool { return c.handled(eventUploadCompleted, "ok") == 2 })
		// Processing superseded the older upload: only the later one is processed.
		c.publish(processed(mid, "content/bb/later"))
		eventually(t, "settled", func() bool { return status().str("status") != "processing" })
		if m := status(); m.str("status") != "draft" || m.body["content"] == nil {
			t.Fatalf("item %s with content %v, want a processed draft", m.str("status"), m.body["content"])
		}
	})
}

// processedAt is processing's report on the file storage recorded at
// uploadedAt.
func processedAt(mediaID, key string, uploadedAt time.Time) bus.Event {
	e := processed(mediaID, key)
	var data map[string]any
	_ = json.Unmarshal(e.Data, &data)
	data["uploaded_at"] = uploadedAt.UTC().Format(time.RFC3339Nano)
	e.Data, _ = json.Marshal(data)
	return e
}

// TestProcessingReportOvertakesTheUploadReport: processing's report comes on
// another topic than storage's and may be handled first. It names the
// upload, so the item settles on the new file, and storage's late report
// does not send it back to processing (it used to stay there forever:
// issue 8).
func TestProcessingReportOvertakesTheUploadReport(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, mod := c.user(authorRole), c.user(moderatorRole)
		aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Uploader"}).str("id")
		mid := c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{
			"title": "A book", "kind": "book", "author_ids": []string{aid}}).str("id")
		status := func() reply { return c.state("/v1/media/"+mid, mod) }
		first := time.Now().UTC()
		c.publish(uploadedAt(mid, "content/aa/first", first))
		eventually(t, "processing", func() bool { return status().str("status") == "processing" })
		c.publish(processedAt(mid, "content/aa/first", first))
		eventually(t, "settled on the first file", func() bool { return status().str("status") == "draft" })

		second := first.Add(time.Millisecond)
		c.publish(processedAt(mid, "content/bb/second", second))
		eventually(t, "the early result is handled", func() bool { return c.handled(eventMediaProcessed, "ok") == 2 })
		c.publish(uploadedAt(mid, "content/bb/second", second))
		eventually(t, "the late upload report is handled", func() bool { return c.handled(eventUploadCompleted, "ok") == 2 })
		if m := status(); m.str("status") != "draft" || m.body["content"] == nil {
			t.Fatalf("item %s with content %v, want a processed draft", m.str("status"), m.body["content"])
		}
	})
}
