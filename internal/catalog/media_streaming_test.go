package catalog

import (
	"net/http"
	"testing"
)

// TestVideoStreamingAndProgress: progress reports show while the video
// is processing (growing only, about the current file), then the media
// JSON lists the HLS ladder, the chapters and the derivatives without
// the segments.
func TestVideoStreamingAndProgress(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice := c.user(authorRole)
		aid := c.expect(http.StatusCreated, "POST", "/v1/authors", alice, map[string]any{"name": "Filmmaker"}).str("id")
		mid := c.expect(http.StatusCreated, "POST", "/v1/media", alice, map[string]any{
			"title": "A film", "kind": "video", "author_ids": []string{aid}}).str("id")
		get := func() reply { return c.state("/v1/media/"+mid, alice) }
		progress := func(key string, p float64) {
			c.publish(pipelineEvent("/alexandria/processing", eventMediaProgress, mid, map[string]any{"object_key": key, "progress": p}))
		}
		c.publish(uploaded(mid, "content/aa/film"))
		eventually(t, "processing", func() bool { return get().str("status") == "processing" })
		progress("content/aa/film", 0.3)
		eventually(t, "progress 0.3", func() bool { return get().body["processing_progress"] == 0.3 })
		progress("content/aa/film", 0.2)  // smaller: ignored
		progress("content/zz/other", 0.9) // another file: ignored
		progress("content/aa/film", 0.5)
		eventually(t, "progress 0.5", func() bool { return get().body["processing_progress"] == 0.5 })

		d := "derivatives/" + mid + "/ab/"
		c.publish(pipelineEvent("/alexandria/processing", eventMediaProcessed, mid, map[string]any{
			"object_key": "content/aa/film",
			"content": map[string]any{"size": 1, "sha256": "ab", "content_type": "video/mp4",
				"chapters": []map[string]any{{"start": 0, "end": 1.5, "title": "Opening"}, {"start": 1.5, "title": "Rest"}},
				"renditions": []map[string]any{
					{"name": "hls-ab-240p.m3u8", "width": 320, "height": 240, "bandwidth": 400000, "codecs": "avc1.4d401e,mp4a.40.2"},
					{"name": "hls-ab-480p.m3u8", "width": 640, "height": 480, "bandwidth": 900000, "codecs": "avc1.4d401e,mp4a.40.2"}}},
			"derivatives": []map[string]any{
				{"kind": "thumbnail", "object_key": d + "thumbnail.jpg", "content_type": "image/jpeg", "size": 9},
				{"kind": "rendition", "object_key": d + "hls.m3u8", "content_type": "application/vnd.apple.mpegurl", "size": 9},
				{"kind": "rendition", "object_key": d + "hls-ab-240p.m3u8", "content_type": "application/vnd.apple.mpegurl", "size": 9},
				{"kind": "rendition_segment", "object_key": d + "hls-ab-240p-00000.m4s", "content_type": "video/iso.segment", "size": 9},
				{"kind": "chapters", "object_key": d + "chapters.json", "content_type": "application/json+chapters", "size": 9},
			},
		}))
		eventually(t, "processed", func() bool { return get().str("status") == "draft" })
		m := get().body
		if _, ok := m["processing_progress"]; ok {
			t.Errorf("processing_progress after processing: %v", m["processing_progress"])
		}
		st, _ := m["streaming"].(map[string]any)
		rs, _ := st["renditions"].([]any)
		if st["hls_url"] != "/v1/media/"+mid+"/derivatives/hls.m3u8" || len(rs) != 2 {
			t.Fatalf("streaming %v", m["streaming"])
		}
		if r := rs[1].(map[string]any); r["height"] != 480.0 || r["url"] != "/v1/media/"+mid+"/derivatives/hls-ab-480p.m3u8" || r["bandwidth"] != 900000.0 {
			t.Errorf("rendition %v", r)
		}
		chapters, _ := m["chapters"].([]any)
		if len(chapters) != 2 {
			t.Fatalf("chapters %v", m["chapters"])
		}
		if ch := chapters[1].(map[string]any); ch["title"] != "Rest" || ch["start"] != 1.5 || ch["end"] != nil {
			t.Errorf("chapter %v", ch)
		}
		derivs, _ := m["derivatives"].([]any)
		if len(derivs) != 4 {
			t.Errorf("derivatives %v: the segments are not listed, the rest is", derivs)
		}
		for _, x := range derivs {
			if x.(map[string]any)["kind"] == "rendition_segment" {
				t.Errorf("segment listed: %v", x)
			}
		}
		// Progress about a finished file changes nothing.
		progress("content/aa/film", 0.9)
		c.publish(uploaded(mid, "content/bb/next"))
		eventually(t, "reprocessing", func() bool { return get().str("status") == "processing" })
		if v, ok := get().body["processing_progress"]; ok {
			t.Errorf("a new upload starts without progress, got %v", v)
		}
	})
}
