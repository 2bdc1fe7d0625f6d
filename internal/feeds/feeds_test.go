package feeds

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func parse(t *testing.T, body string) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("parse feed: %v\n%s", err, body)
	}
	return f
}

func podcastExt(exts ext.Extensions, name string) []ext.Extension {
	return exts["podcast"][name]
}

func TestPodcastFeed(t *testing.T) {
	for _, st := range moduletest.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			x := newHarness(t, st)
			author, episode := newID(), newID()
			x.apply(eventAuthorCreated, authorPayload(author, "Ada Host", 1))
			x.apply(eventMediaPublished, mediaPayload(episode, "podcast", "Episode one", author, 2))
			path := "/feeds/authors/" + author + "/podcast.xml"
			res, body := x.mustGet(path)
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/rss+xml") {
				t.Fatalf("Content-Type %q", ct)
			}
			f := parse(t, body)
			if f.FeedType != "rss" || f.Title != "Ada Host" || len(f.Items) != 1 {
				t.Fatalf("feed %s %q with %d items", f.FeedType, f.Title, len(f.Items))
			}
			// iTunes: what Apple requires of a show and an episode.
			if f.ITunesExt == nil || f.ITunesExt.Author != "Ada Host" || f.ITunesExt.Image != "https://img.example/a.png" ||
				f.ITunesExt.Explicit != "false" || len(f.ITunesExt.Categories) != 1 || f.ITunesExt.Categories[0].Text != "Education" {
				t.Fatalf("channel iTunes tags: %+v", f.ITunesExt)
			}
			it := f.Items[0]
			if it.GUID != "urn:uuid:"+episode || it.Title != "Episode one" {
				t.Fatalf("item %q %q", it.GUID, it.Title)
			}
			if it.ITunesExt == nil || it.ITunesExt.Duration != "1800" || it.ITunesExt.EpisodeType != "full" {
				t.Fatalf("item iTunes tags: %+v", it.ITunesExt)
			}
			if len(it.Enclosures) != 1 || it.Enclosures[0].URL != x.url+"/v1/media/"+episode+"/content" ||
				it.Enclosures[0].Length != "123456" || it.Enclosures[0].Type != "audio/mpeg" {
				t.Fatalf("enclosure %+v", it.Enclosures)
			}
			// Podcasting 2.0.
			guid := podcastExt(f.Extensions, "guid")
			if len(guid) != 1 || guid[0].Value != domain.PodcastGUID(x.url+path) {
				t.Fatalf("podcast:guid %+v", guid)
			}
			if l := podcastExt(f.Extensions, "locked"); len(l) != 1 || l[0].Value != "yes" {
				t.Fatalf("podcast:locked %+v", l)
			}
			if fu := podcastExt(f.Extensions, "funding"); len(fu) != 1 || fu[0].Attrs["url"] != "https://donate.example/a" {
				t.Fatalf("podcast:funding %+v", fu)
			}
			if p := podcastExt(it.Extensions, "person"); len(p) != 1 || p[0].Value != "Ada Host" || p[0].Attrs["role"] != "host" {
				t.Fatalf("podcast:person %+v", p)
			}
			alt := podcastExt(it.Extensions, "alternateEnclosure")
			if len(alt) != 1 || alt[0].Attrs["type"] != "audio/mpeg" || alt[0].Attrs["length"] != "123456" ||
				alt[0].Children["source"][0].Attrs["uri"] != x.url+"/v1/media/"+episode+"/content" {
				t.Fatalf("podcast:alternateEnclosure %+v", alt)
			}
			if len(podcastExt(it.Extensions, "transcript")) != 0 || len(podcastExt(it.Extensions, "chapters")) != 0 {
				t.Fatal("transcript or chapters announced without the files")
			}
			etag := res.Header.Get("ETag")

			// Unchanged: 304 on either validator.
			if r, _ := x.get(path, "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
				t.Fatalf("If-None-Match: %d", r.StatusCode)
			}
			if r, _ := x.get(path, "If-Modified-Since", res.Header.Get("Last-Modified")); r.StatusCode != http.StatusNotModified {
				t.Fatalf("If-Modified-Since: %d", r.StatusCode)
			}

			// An edit keeps the guid; an older event arriving late changes nothing.
			x.apply(eventMediaUpdated, mediaPayload(episode, "podcast", "Episode one, revised", author, 3))
			x.apply(eventMediaUpdated, mediaPayload(episode, "podcast", "Stale title", author, 2))
			res2, body := x.get(path, "If-None-Match", etag)
			if res2.StatusCode != http.StatusOK {
				t.Fatalf("after an edit the old ETag answered %d", res2.StatusCode)
			}
			f = parse(t, body)
			if len(f.Items) != 1 || f.Items[0].GUID != "urn:uuid:"+episode || f.Items[0].Title != "Episode one, revised" {
				t.Fatalf("after edit: %+v", f.Items[0])
			}
			if g := podcastExt(f.Extensions, "guid"); g[0].Value != guid[0].Value {
				t.Fatal("podcast:guid moved")
			}

			// Removed: gone, and no validator of the old feed is confirmed.
			removed := mediaPayload(episode, "podcast", "Episode one, revised", author, 4, withStatus("removed"))
			x.apply(eventMediaRemoved, removed)
			for _, h := range []string{etag, res2.Header.Get("ETag")} {
				r, body := x.get(path, "If-None-Match", h)
				if r.StatusCode != http.StatusOK {
					t.Fatalf("after removal a stale ETag answered %d", r.StatusCode)
				}
				if f := parse(t, body); len(f.Items) != 0 {
					t.Fatalf("removed item still listed: %d items", len(f.Items))
				}
			}
			// Restored: back with the same guid.
			x.apply(eventMediaRestored, mediaPayload(episode, "podcast", "Episode one, revised", author, 5))
			_, body = x.mustGet(path)
			if f := parse(t, body); len(f.Items) != 1 || f.Items[0].GUID != "urn:uuid:"+episode {
				t.Fatal("restored item not back with its guid")
			}
			// Deleted: gone for good, even if an older event comes late.
			x.apply(eventMediaDeleted, mediaPayload(episode, "podcast", "x", author, 5))
			x.apply(eventMediaPublished, mediaPayload(episode, "podcast", "x", author, 4))
			_, body = x.mustGet(path)
			if f := parse(t, body); len(f.Items) != 0 {
				t.Fatal("deleted item listed")
			}
		})
	}
}

func TestPodcastTranscriptChaptersAndVideo(t *testing.T) {
	x := newHarness(t, moduletest.Stores(t)[0])
	author, ep, video, book := newID(), newID(), newID(), newID()
	x.apply(eventAuthorCreated, authorPayload(author, "Lin", 1))
	x.apply(eventMediaPublished, mediaPayload(ep, "podcast", "With extras", author, 1, withDerivatives(
		map[string]any{"kind": "transcript", "name": "transcript.vtt", "url": "/x", "content_type": "text/vtt", "size": 100},
		map[string]any{"kind": "chapters", "name": "chapters.json", "url": "/x", "content_type": "application/json+chapters", "size": 50},
	)))
	x.apply(eventMediaPublished, mediaPayload(video, "video", "A video", author, 1, withPublished(t0.Add(2*time.Hour)),
		withDerivatives(
			map[string]any{"kind": "thumbnail", "name": "thumbnail.jpg", "url": "/x", "content_type": "image/jpeg", "size": 10},
			map[string]any{"kind": "rendition", "name": "480p.mp4", "url": "/x", "content_type": "video/mp4", "size": 5000},
			map[string]any{"kind": "rendition", "name": "index.m3u8", "url": "/x", "content_type": "application/vnd.apple.mpegurl", "size": 5},
		)))
	x.apply(eventMediaPublished, mediaPayload(book, "book", "A book", author, 1))
	_, body := x.mustGet("/feeds/authors/" + author + "/podcast.xml")
	f := parse(t, body)
	if len(f.Items) != 2 {
		t.Fatalf("%d items, want the episode and the video (no book)", len(f.Items))
	}
	v, e := f.Items[0], f.Items[1]
	if v.GUID != "urn:uuid:"+video || v.Enclosures[0].Type != "video/mp4" || v.Enclosures[0].Length != "999999" {
		t.Fatalf("video item %+v %+v", v.GUID, v.Enclosures[0])
	}
	if v.ITunesExt.Image != x.url+"/v1/media/"+video+"/derivatives/thumbnail.jpg" {
		t.Fatalf("video image %q", v.ITunesExt.Image)
	}
	alt := podcastExt(v.Extensions, "alternateEnclosure")
	if len(alt) != 2 || alt[0].Attrs["height"] != "720" || alt[1].Children["source"][0].Attrs["uri"] != x.url+"/v1/media/"+video+"/derivatives/480p.mp4" {
		t.Fatalf("alternates (no playlist) %+v", alt)
	}
	if strings.Contains(body, "m3u8") {
		t.Fatal("a playlist is announced")
	}
	tr := podcastExt(e.Extensions, "transcript")
	if len(tr) != 1 || tr[0].Attrs["type"] != "text/vtt" || tr[0].Attrs["url"] != x.url+"/v1/media/"+ep+"/derivatives/transcript.vtt" {
		t.Fatalf("transcript %+v", tr)
	}
	if ch := podcastExt(e.Extensions, "chapters"); len(ch) != 1 || ch[0].Attrs["type"] != "application/json+chapters" {
		t.Fatalf("chapters %+v", ch)
	}
}

func TestAtomAndJSONFeeds(t *testing.T) {
	for _, st := range moduletest.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			x := newHarness(t, st)
			author, cat := newID(), newID()
			x.apply(eventAuthorCreated, authorPayload(author, "Grace", 1))
			x.apply(eventCategoryCreated, categoryPayload(cat, "Physics", "physics", 1))
			older, newer, draft := newID(), newID(), newID()
			x.apply(eventMediaPublished, mediaPayload(older, "book", "Old book", author, 1, withCategories(cat)))
			x.apply(eventMediaPublished, mediaPayload(newer, "document", "New paper", author, 1, withCategories(cat),
				withPublished(t0.Add(5*time.Hour))))
			x.apply(eventMediaCreated, mediaPayload(draft, "book", "Draft", author, 1, withCategories(cat), withStatus("draft")))
			for _, path := range []string{"/feeds/authors/" + author, "/feeds/categories/" + cat, "/feeds/categories/physics",
				"/feeds/tags/science", "/feeds"} {
				for _, format := range []string{formatAtom, formatJSON} {
					res, body := x.mustGet(path + "/" + format)
					f := parse(t, body)
					want := map[string]string{formatAtom: "atom", formatJSON: "json"}[format]
					if f.FeedType != want {
						t.Fatalf("%s/%s: type %s", path, format, f.FeedType)
					}
					if len(f.Items) != 2 || f.Items[0].GUID != "urn:uuid:"+newer || f.Items[1].GUID != "urn:uuid:"+older {
						t.Fatalf("%s/%s: items %d", path, format, len(f.Items))
					}
					if f.Items[0].Link != x.url+"/media/"+newer || len(f.Items[0].Authors) != 1 || f.Items[0].Authors[0].Name != "Grace" {
						t.Fatalf("%s/%s: first item %+v", path, format, f.Items[0])
					}
					if res.Header.Get("ETag") == "" || res.Header.Get("Last-Modified") == "" {
						t.Fatalf("%s/%s: no validators", path, format)
					}
				}
			}
			_, body := x.mustGet("/feeds/authors/" + author + "/feed.json")
			var jf struct {
				Version string `json:"version"`
				Items   []struct {
					Attachments []struct {
						URL      string `json:"url"`
						MIMEType string `json:"mime_type"`
						Size     int64  `json:"size_in_bytes"`
					} `json:"attachments"`
				} `json:"items"`
			}
			if err := json.Unmarshal([]byte(body), &jf); err != nil {
				t.Fatal(err)
			}
			if jf.Version != "https://jsonfeed.org/version/1.1" || jf.Items[1].Attachments[0].MIMEType != "application/epub+zip" ||
				jf.Items[1].Attachments[0].Size != 5000 {
				t.Fatalf("JSON Feed %+v", jf)
			}
			// A removed category and author: their feeds are gone.
			c := categoryPayload(cat, "Physics", "physics", 2)
			c["status"] = "removed"
			x.apply(eventCategoryRemoved, c)
			if r, _ := x.get("/feeds/categories/" + cat + "/atom.xml"); r.StatusCode != http.StatusNotFound {
				t.Fatalf("removed category: %d", r.StatusCode)
			}
			a := authorPayload(author, "Grace", 2)
			a["status"] = "removed"
			x.apply(eventAuthorRemoved, a)
			if r, _ := x.get("/feeds/authors/" + author + "/podcast.xml"); r.StatusCode != http.StatusNotFound {
				t.Fatalf("removed author: %d", r.StatusCode)
			}
		})
	}
}

func TestBadInputIsAProblem(t *testing.T) {
	x := newHarness(t, moduletest.Stores(t)[0])
	for path, status := range map[string]int{
		"/feeds/authors/not-a-uuid/atom.xml":      http.StatusUnprocessableEntity,
		"/feeds/authors/" + newID() + "/atom.xml": http.StatusNotFound,
		"/feeds/categories/nope/feed.json":        http.StatusNotFound,
		"/feeds/tags/%E2%80%AEevil/atom.xml":      http.StatusUnprocessableEntity,
	} {
		res, body := x.get(path)
		if res.StatusCode != status || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("GET %s: %d %s %s", path, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
}

// TestEventsThroughTheBus feeds the service through its real pipeline: the
// cache is dropped only once the consumer's transaction commits.
func TestEventsThroughTheBus(t *testing.T) {
	x := newHarness(t, moduletest.Stores(t)[0])
	author, ep := newID(), newID()
	publish := func(typ string, payload any) {
		data, _ := json.Marshal(payload)
		e := bus.Event{ID: newID(), Type: typ, Source: "/alexandria/catalog", Subject: "x/" + newID(), Data: data, Time: time.Now()}
		if err := x.h.Deps.Bus.Publisher().Publish(bus.Topic("catalog"), e.Message()); err != nil {
			t.Fatal(err)
		}
	}
	path := "/feeds/authors/" + author + "/podcast.xml"
	publish(eventAuthorCreated, authorPayload(author, "Bus", 1))
	waitFor(t, func() bool { r, _ := x.get(path); return r.StatusCode == http.StatusOK })
	_, before := x.mustGet(path) // cached, empty
	if len(parse(t, before).Items) != 0 {
		t.Fatal("items before any episode")
	}
	publish(eventMediaPublished, mediaPayload(ep, "podcast", "Over the bus", author, 1))
	waitFor(t, func() bool { _, b := x.get(path); return strings.Contains(b, "Over the bus") })
	publish(eventMediaRemoved, mediaPayload(ep, "podcast", "Over the bus", author, 2, withStatus("removed")))
	waitFor(t, func() bool { _, b := x.get(path); return !strings.Contains(b, "Over the bus") })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("condition not met in time")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestCacheNeverKeepsADocumentBuiltBeforeAChange(t *testing.T) {
	c := newCache(10)
	gen := c.generation()
	c.invalidate() // a change commits while the document is being built
	c.put("k", gen, newRendered([]byte("old"), "text/plain", time.Now()))
	if _, ok := c.get("k"); ok {
		t.Fatal("a document built before the change was kept")
	}
	gen = c.generation()
	c.put("k", gen, newRendered([]byte("new"), "text/plain", time.Now()))
	if r, ok := c.get("k"); !ok || string(r.body) != "new" {
		t.Fatal("a current document was not kept")
	}
	c.invalidate()
	if _, ok := c.get("k"); ok {
		t.Fatal("served after invalidation")
	}
}
