package engagement

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// Component tests: engagement behind the production middleware, over HTTP,
// on SQLite and PostgreSQL, fed catalog's and identity's events through the
// bus as those services publish them.

type api struct {
	t      *testing.T
	h      *moduletest.Harness
	svc    *Service
	tokens map[string]string
}

func startEngagement(t *testing.T, s moduletest.Store) *api {
	t.Helper()
	h := moduletest.NewHarness(t, s)
	cfg := DefaultConfig()
	cfg.ViewFlushInterval = 20 * time.Millisecond
	svc, err := New(context.Background(), cfg, h.Deps)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(t, svc)
	return &api{t: t, h: h, svc: svc, tokens: map[string]string{}}
}

func forEachServer(t *testing.T, fn func(t *testing.T, c *api)) {
	t.Helper()
	for _, s := range moduletest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, startEngagement(t, s))
		})
	}
}

func (c *api) user() string {
	id := uuid.NewString()
	c.tokens[id] = c.h.Issuer.Token(id, "reader")
	return id
}

type reply struct {
	status int
	body   map[string]any
	raw    string
}

func (r reply) num(key string) float64 { n, _ := r.body[key].(float64); return n }

func (r reply) items() []map[string]any {
	list, _ := r.body["items"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		out = append(out, it.(map[string]any))
	}
	return out
}

// call sends a request as user ("" for anonymous); headers come in pairs.
func (c *api) call(method, path, user string, body any, headers ...string) reply {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.h.Server.URL+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "engagement-test/1.0 (Firefox)")
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := reply{status: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func (c *api) expect(status int, method, path, user string, body any, headers ...string) reply {
	c.t.Helper()
	r := c.call(method, path, user, body, headers...)
	if r.status != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.raw)
	}
	return r
}

// eventually polls cond until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// publish sends an event on a service's topic as that service would.
func (c *api) publish(service, typ, subject, id string, data map[string]any) {
	c.t.Helper()
	b, _ := json.Marshal(data)
	e := bus.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, Source: "/alexandria/" + service, Subject: subject,
		Key: id, Time: time.Now().UTC(), Data: b}
	if err := c.h.Deps.Bus.Publisher().Publish(bus.Topic(service), e.Message()); err != nil {
		c.t.Fatal(err)
	}
}

// catalogMediaItem is a media payload as catalog publishes it.
type catalogMediaItem struct {
	ID, Kind, Status string
	Authors, Cats    []string
	Tags             []string
	Duration         float64
	Pages            int
	PublishedAt      time.Time
	Version          int64
}

func (c *api) media(typ string, m catalogMediaItem) {
	c.t.Helper()
	data := map[string]any{"id": m.ID, "title": "Item " + m.ID[:8], "kind": m.Kind, "status": m.Status,
		"author_ids": m.Authors, "category_ids": m.Cats, "tags": m.Tags, "version": m.Version, "language": "en"}
	if !m.PublishedAt.IsZero() {
		data["published_at"] = m.PublishedAt.UTC().Format(time.RFC3339Nano)
	}
	content := map[string]any{"size": 10, "sha256": "00", "content_type": "x"}
	if m.Duration > 0 {
		content["duration_seconds"] = m.Duration
	}
	if m.Pages > 0 {
		content["pages"] = m.Pages
	}
	data["content"] = content
	c.publish("catalog", typ, "media/"+m.ID, m.ID, data)
}

func (c *api) author(typ, id, status string, version int64) {
	c.publish("catalog", typ, "author/"+id, id, map[string]any{"id": id, "name": "A", "status": status, "version": version})
}

// publishedVideo makes a published video of authors and waits until
// engagement knows it.
func (c *api) publishedVideo(duration float64, authors ...string) string {
	c.t.Helper()
	id := uuid.NewString()
	c.media(eventMediaPublished, catalogMediaItem{ID: id, Kind: "video", Status: "published", Authors: authors,
		Duration: duration, PublishedAt: time.Now(), Version: 2})
	c.waitVisible(id)
	return id
}

func (c *api) waitVisible(id string) {
	c.t.Helper()
	eventually(c.t, "media "+id+" visible", func() bool { return c.call("GET", "/v1/media/"+id+"/stats", "", nil).status == 200 })
}

func (c *api) activeAuthor() string {
	c.t.Helper()
	id := uuid.NewString()
	c.author(eventAuthorCreated, id, "active", 1)
	eventually(c.t, "author known", func() bool { return c.call("GET", "/v1/authors/"+id+"/stats", "", nil).status == 200 })
	return id
}

func fieldError(r reply, field string) bool {
	list, _ := r.body["errors"].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && m["field"] == field {
			return true
		}
	}
	return false
}

func TestFollows(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, bob := c.user(), c.user()
		unknown := uuid.NewString()
		c.expect(http.StatusNotFound, "PUT", "/v1/users/me/follows/author/"+unknown, alice, nil)
		c.expect(http.StatusNotFound, "PUT", "/v1/users/me/follows/author/not-a-uuid", alice, nil)
		c.expect(http.StatusUnprocessableEntity, "PUT", "/v1/users/me/follows/planet/"+unknown, alice, nil)
		c.expect(http.StatusUnauthorized, "PUT", "/v1/users/me/follows/author/"+unknown, "", nil)

		aid := c.activeAuthor()
		r := c.expect(http.StatusOK, "PUT", "/v1/users/me/follows/author/"+aid, alice, nil)
		if r.body["type"] != "author" || r.body["id"] != aid {
			t.Fatalf("follow = %s", r.raw)
		}
		c.expect(http.StatusOK, "PUT", "/v1/users/me/follows/author/"+aid, alice, nil) // again: no change
		c.expect(http.StatusOK, "PUT", "/v1/users/me/follows/author/"+aid, bob, nil)
		if got := c.expect(200, "GET", "/v1/authors/"+aid+"/stats", "", nil).num("followers"); got != 2 {
			t.Fatalf("followers = %v, want 2", got)
		}

		// A tag exists once a published item carries it; a category once catalog announces it.
		c.expect(http.StatusNotFound, "PUT", "/v1/users/me/follows/tag/physics", alice, nil)
		mid := uuid.NewString()
		c.media(eventMediaPublished, catalogMediaItem{ID: mid, Kind: "book", Status: "published", Tags: []string{"physics"},
			Pages: 10, PublishedAt: time.Now(), Version: 1})
		c.waitVisible(mid)
		c.expect(http.StatusOK, "PUT", "/v1/users/me/follows/tag/physics", alice, nil)
		cid := uuid.NewString()
		c.publish("catalog", eventCategoryCreated, "category/"+cid, cid, map[string]any{"id": cid, "status": "active", "version": 1})
		eventually(t, "category followable", func() bool {
			return c.call("PUT", "/v1/users/me/follows/category/"+cid, alice, nil).status == 200
		})

		list := c.expect(200, "GET", "/v1/users/me/follows?page_size=2", alice, nil)
		if len(list.items()) != 2 || list.body["next_page_token"] == nil {
			t.Fatalf("first page = %s", list.raw)
		}
		next := c.expect(200, "GET", "/v1/users/me/follows?page_size=2&page_token="+list.body["next_page_token"].(string), alice, nil)
		if len(next.items()) != 1 {
			t.Fatalf("second page = %s", next.raw)
		}
		if only := c.expect(200, "GET", "/v1/users/me/follows?type=tag", alice, nil).items(); len(only) != 1 || only[0]["id"] != "physics" {
			t.Fatalf("tag follows = %v", only)
		}
		if other := c.expect(200, "GET", "/v1/users/me/follows", bob, nil).items(); len(other) != 1 {
			t.Fatalf("bob sees %v", other)
		}

		c.expect(http.StatusNoContent, "DELETE", "/v1/users/me/follows/author/"+aid, alice, nil)
		c.expect(http.StatusNoContent, "DELETE", "/v1/users/me/follows/author/"+aid, alice, nil)
		if got := c.expect(200, "GET", "/v1/authors/"+aid+"/stats", "", nil).num("followers"); got != 1 {
			t.Fatalf("followers after unfollow = %v, want 1", got)
		}

		// A removed author can no longer be followed; an older event does not bring it back.
		c.author(eventAuthorRemoved, aid, "removed", 3)
		c.author(eventAuthorUpdated, aid, "active", 2)
		eventually(t, "author hidden", func() bool { return c.call("GET", "/v1/authors/"+aid+"/stats", "", nil).status == 404 })
		c.expect(http.StatusNotFound, "PUT", "/v1/users/me/follows/author/"+aid, alice, nil)
	})
}

func TestLikesAndStats(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, bob := c.user(), c.user()
		aid := c.activeAuthor()
		c.expect(http.StatusNotFound, "PUT", "/v1/media/"+uuid.NewString()+"/like", alice, nil)
		draft := uuid.NewString()
		c.media(eventMediaCreated, catalogMediaItem{ID: draft, Kind: "video", Status: "draft", Version: 1})
		mid := c.publishedVideo(100, aid)
		c.expect(http.StatusNotFound, "PUT", "/v1/media/"+draft+"/like", alice, nil)

		c.expect(http.StatusNoContent, "PUT", "/v1/media/"+mid+"/like", alice, nil)
		c.expect(http.StatusNoContent, "PUT", "/v1/media/"+mid+"/like", alice, nil)
		c.expect(http.StatusNoContent, "PUT", "/v1/media/"+mid+"/like", bob, nil)
		st := c.expect(200, "GET", "/v1/media/"+mid+"/stats", alice, nil)
		if st.num("likes") != 2 || st.body["liked_by_me"] != true {
			t.Fatalf("stats = %s", st.raw)
		}
		c.expect(http.StatusNoContent, "DELETE", "/v1/media/"+mid+"/like", alice, nil)
		st = c.expect(200, "GET", "/v1/media/"+mid+"/stats", alice, nil)
		if st.num("likes") != 1 || st.body["liked_by_me"] != false {
			t.Fatalf("stats after unlike = %s", st.raw)
		}
		if a := c.expect(200, "GET", "/v1/authors/"+aid+"/stats", "", nil); a.num("likes") != 1 {
			t.Fatalf("author stats = %s", a.raw)
		}

		// Unpublished: hidden.
		c.media(eventMediaUpdated, catalogMediaItem{ID: mid, Kind: "video", Status: "draft", Authors: []string{aid}, Version: 3})
		eventually(t, "media hidden", func() bool { return c.call("GET", "/v1/media/"+mid+"/stats", "", nil).status == 404 })
		c.expect(http.StatusNotFound, "PUT", "/v1/media/"+mid+"/like", bob, nil)
	})
}

func TestViewCounting(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice := c.user()
		aid := c.activeAuthor()
		mid := c.publishedVideo(600, aid)
		path := "/v1/media/" + mid + "/views"
		if r := c.expect(http.StatusAccepted, "POST", path, alice, map[string]any{"seconds_played": 9.5}); r.body["outcome"] != "too_short" {
			t.Fatalf("short play: %s", r.raw)
		}
		if r := c.expect(http.StatusAccepted, "POST", path, "", map[string]any{"seconds_read": 29}); r.body["outcome"] != "too_short" {
			t.Fatalf("short read: %s", r.raw)
		}
		if r := c.expect(http.StatusAccepted, "POST", path, "", map[string]any{"seconds_played": 60},
			"User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"); r.body["outcome"] != "crawler" {
			t.Fatalf("crawler: %s", r.raw)
		}
		// 1,000 views from one viewer in a minute count once.
		for range 1000 {
			c.expect(http.StatusAccepted, "POST", path, alice, map[string]any{"seconds_played": 12})
		}
		// Two anonymous viewers (different agents), one of them twice.
		c.expect(http.StatusAccepted, "POST", path, "", map[string]any{"seconds_read": 31}, "User-Agent", "Reader A")
		c.expect(http.StatusAccepted, "POST", path, "", map[string]any{"seconds_read": 45}, "User-Agent", "Reader A")
		c.expect(http.StatusAccepted, "POST", path, "", map[string]any{"seconds_played": 10}, "User-Agent", "Reader B")
		eventually(t, "views counted", func() bool {
			st := c.call("GET", "/v1/media/"+mid+"/stats", "", nil)
			return st.num("views") == 3 && st.num("unique_viewers") == 3
		})
		// Nothing further arrives: a flush later still says 3.
		if _, err := c.svc.flushViews(context.Background()); err != nil {
			t.Fatal(err)
		}
		st := c.expect(200, "GET", "/v1/media/"+mid+"/stats", "", nil)
		if st.num("views") != 3 {
			t.Fatalf("stats = %s", st.raw)
		}
		if a := c.expect(200, "GET", "/v1/authors/"+aid+"/stats", "", nil); a.num("views") != 3 {
			t.Fatalf("author stats = %s", a.raw)
		}
		// No raw address or agent is stored: the hour's keys are integers
		// (one per counted view) and the sketch holds register maxima.
		var hourKeys []int64
		if err := c.svc.db.NewRaw("SELECT k FROM view_hours").Scan(context.Background(), &hourKeys); err != nil || len(hourKeys) != 3 {
			t.Fatalf("view_hours = %v, %v", hourKeys, err)
		}
		var sketches [][]byte
		if err := c.svc.db.NewRaw("SELECT registers FROM view_sketches WHERE media_id = ?", mid).Scan(context.Background(), &sketches); err != nil || len(sketches) != 1 {
			t.Fatalf("sketch: %d, %v", len(sketches), err)
		}
		if bytes.Contains(sketches[0], []byte("Reader")) || bytes.Contains(sketches[0], []byte("127.0.0.1")) {
			t.Fatal("raw viewer stored in the sketch")
		}
		c.expect(http.StatusNotFound, "POST", "/v1/media/"+uuid.NewString()+"/views", "", map[string]any{"seconds_played": 20})
		r := c.expect(http.StatusUnprocessableEntity, "POST", path, "", map[string]any{"seconds_played": -1})
		if !fieldError(r, "seconds_played") {
			t.Fatalf("negative seconds: %s", r.raw)
		}
	})
}

func TestProgress(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, bob := c.user(), c.user()
		mid := c.publishedVideo(1000)
		book := uuid.NewString()
		c.media(eventMediaPublished, catalogMediaItem{ID: book, Kind: "book", Status: "published", Pages: 200, PublishedAt: time.Now(), Version: 1})
		c.waitVisible(book)
		path := "/v1/users/me/progress/" + mid
		base := time.Now().UTC().Truncate(time.Second)
		put := func(user string, seconds float64, device string, at time.Time) reply {
			return c.expect(200, "PUT", path, user, map[string]any{"seconds": seconds, "device": device,
				"client_time": at.Format(time.RFC3339Nano)})
		}
		// The phone's clock runs 5 minutes behind, the tablet's 2 minutes ahead.
		phone := func(d time.Duration) time.Time { return base.Add(d - 5*time.Minute) }
		tablet := func(d time.Duration) time.Time { return base.Add(d + 2*time.Minute) }
		if r := put(alice, 100, "phone", phone(0)); r.body["applied"] != true || r.num("percent") != 10 {
			t.Fatalf("first = %s", r.raw)
		}
		if r := put(alice, 300, "tablet", tablet(time.Minute)); r.body["applied"] != true {
			t.Fatalf("tablet = %s", r.raw)
		}
		// The phone reports later in real time, but its clock says earlier: the tablet's stays.
		if r := put(alice, 200, "phone", phone(2*time.Minute)); r.body["applied"] != false || r.num("seconds") != 300 || r.body["device"] != "tablet" {
			t.Fatalf("skewed phone = %s", r.raw)
		}
		// Out of order: a delayed older report changes nothing; a replay neither.
		put(alice, 400, "tablet", tablet(3*time.Minute))
		if r := put(alice, 350, "tablet", tablet(2*time.Minute)); r.body["applied"] != false || r.num("seconds") != 400 {
			t.Fatalf("out of order = %s", r.raw)
		}
		if r := put(alice, 400, "tablet", tablet(3*time.Minute)); r.body["applied"] != false {
			t.Fatalf("replay = %s", r.raw)
		}
		// Beyond the item's length: 400 naming the field.
		r := c.expect(http.StatusBadRequest, "PUT", path, alice, map[string]any{"seconds": 2000, "device": "phone", "client_time": base.Format(time.RFC3339)})
		if !fieldError(r, "seconds") {
			t.Fatalf("beyond length: %s", r.raw)
		}
		r = c.expect(http.StatusBadRequest, "PUT", "/v1/users/me/progress/"+book, alice, map[string]any{"page": 201, "device": "e-reader", "client_time": base.Format(time.RFC3339)})
		if !fieldError(r, "page") {
			t.Fatalf("beyond pages: %s", r.raw)
		}
		r = c.expect(http.StatusBadRequest, "PUT", path, alice, map[string]any{"seconds": 1, "device": "phone", "client_time": base.Add(48 * time.Hour).Format(time.RFC3339)})
		if !fieldError(r, "client_time") {
			t.Fatalf("far future: %s", r.raw)
		}
		c.expect(http.StatusNotFound, "PUT", "/v1/users/me/progress/"+uuid.NewString(), alice, map[string]any{"seconds": 1, "device": "phone", "client_time": base.Format(time.RFC3339)})

		// The book finished (≥ 95 %) moves to state=finished and counts a completion once.
		c.expect(200, "PUT", "/v1/users/me/progress/"+book, alice, map[string]any{"page": 195, "device": "e-reader", "client_time": base.Format(time.RFC3339)})
		c.expect(200, "PUT", "/v1/users/me/progress/"+book, alice, map[string]any{"page": 200, "pages": 200, "device": "e-reader", "client_time": base.Add(time.Second).Format(time.RFC3339)})
		inProgress := c.expect(200, "GET", "/v1/users/me/progress?state=in_progress", alice, nil).items()
		finished := c.expect(200, "GET", "/v1/users/me/progress?state=finished", alice, nil).items()
		if len(inProgress) != 1 || inProgress[0]["media_id"] != mid || len(finished) != 1 || finished[0]["media_id"] != book {
			t.Fatalf("in progress %v, finished %v", inProgress, finished)
		}
		if st := c.expect(200, "GET", "/v1/media/"+book+"/stats", "", nil); st.num("completions") != 1 {
			t.Fatalf("completions = %s", st.raw)
		}
		if other := c.expect(200, "GET", "/v1/users/me/progress", bob, nil).items(); len(other) != 0 {
			t.Fatalf("bob sees %v", other)
		}

		// The book unpublished: it leaves the lists (and can no longer be
		// reported on); republished, alice's position is back.
		c.media(eventMediaUpdated, catalogMediaItem{ID: book, Kind: "book", Status: "draft", Pages: 200, Version: 2})
		eventually(t, "book hidden from progress", func() bool {
			return len(c.expect(200, "GET", "/v1/users/me/progress?state=finished", alice, nil).items()) == 0
		})
		if ip := c.expect(200, "GET", "/v1/users/me/progress?state=in_progress", alice, nil).items(); len(ip) != 1 || ip[0]["media_id"] != mid {
			t.Fatalf("in progress after hiding the book: %v", ip)
		}
		c.expect(http.StatusNotFound, "PUT", "/v1/users/me/progress/"+book, alice, map[string]any{"page": 10, "device": "e-reader", "client_time": base.Add(time.Minute).Format(time.RFC3339)})
		c.media(eventMediaUpdated, catalogMediaItem{ID: book, Kind: "book", Status: "published", Pages: 200, PublishedAt: time.Now(), Version: 3})
		eventually(t, "book back in progress", func() bool {
			f := c.expect(200, "GET", "/v1/users/me/progress?state=finished", alice, nil).items()
			return len(f) == 1 && f[0]["media_id"] == book
		})
	})
}

func TestFeed(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice := c.user()
		followed, other := c.activeAuthor(), c.activeAuthor()
		c.expect(200, "PUT", "/v1/users/me/follows/author/"+followed, alice, nil)
		base := time.Now().Add(-time.Hour)
		var want []string
		for i := range 5 {
			id := uuid.NewString()
			c.media(eventMediaPublished, catalogMediaItem{ID: id, Kind: "podcast", Status: "published", Authors: []string{followed},
				Duration: 60, PublishedAt: base.Add(time.Duration(i) * time.Minute), Version: 1})
			want = append([]string{id}, want...)
		}
		notFollowed := uuid.NewString()
		c.media(eventMediaPublished, catalogMediaItem{ID: notFollowed, Kind: "podcast", Status: "published", Authors: []string{other},
			PublishedAt: base.Add(time.Hour), Version: 1})
		// An item by two followed things appears once (tag and author).
		c.waitVisible(notFollowed)
		for _, id := range want {
			c.waitVisible(id)
		}
		var got []string
		token := ""
		for range 10 {
			r := c.expect(200, "GET", "/v1/users/me/feed?page_size=2&page_token="+token, alice, nil)
			for _, it := range r.items() {
				got = append(got, it["media_id"].(string))
			}
			next, _ := r.body["next_page_token"].(string)
			if next == "" {
				break
			}
			token = next
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("feed = %v, want %v", got, want)
		}
		// A removed item leaves the feed.
		c.media(eventMediaRemoved, catalogMediaItem{ID: want[0], Kind: "podcast", Status: "removed", Authors: []string{followed},
			PublishedAt: base.Add(4 * time.Minute), Version: 2})
		eventually(t, "removed item gone", func() bool {
			items := c.expect(200, "GET", "/v1/users/me/feed", alice, nil).items()
			return len(items) == 4 && items[0]["media_id"] == want[1]
		})
		c.expect(http.StatusUnprocessableEntity, "GET", "/v1/users/me/feed?page_token=nonsense!", alice, nil)
	})
}

func TestUserErasure(t *testing.T) {
	t.Parallel()
	forEachServer(t, func(t *testing.T, c *api) {
		alice, bob := c.user(), c.user()
		aid := c.activeAuthor()
		mid := c.publishedVideo(100, aid)
		for _, u := range []string{alice, bob} {
			c.expect(200, "PUT", "/v1/users/me/follows/author/"+aid, u, nil)
			c.expect(204, "PUT", "/v1/media/"+mid+"/like", u, nil)
			c.expect(200, "PUT", "/v1/users/me/progress/"+mid, u, map[string]any{"seconds": 10, "device": "d", "client_time": time.Now().Format(time.RFC3339)})
			c.expect(202, "POST", "/v1/media/"+mid+"/views", u, map[string]any{"seconds_played": 11})
		}
		eventually(t, "views counted", func() bool { return c.call("GET", "/v1/media/"+mid+"/stats", "", nil).num("views") == 2 })
		col := c.expect(201, "POST", "/v1/collections", alice, map[string]any{"name": "Mine"}).body["id"].(string)
		c.expect(200, "POST", "/v1/collections/"+col+"/items", alice, map[string]any{"media_id": mid})
		c.publish("identity", eventIdentityUserDeleted, "user/"+alice, alice, map[string]any{"id": alice, "version": 3})
		eventually(t, "alice erased", func() bool {
			return len(c.expect(200, "GET", "/v1/users/me/follows", alice, nil).items()) == 0
		})
		if p := c.expect(200, "GET", "/v1/users/me/progress", alice, nil).items(); len(p) != 0 {
			t.Fatalf("progress left: %v", p)
		}
		if st := c.expect(200, "GET", "/v1/media/"+mid+"/stats", alice, nil); st.body["liked_by_me"] != false ||
			st.num("likes") != 2 || st.num("views") != 2 || st.num("unique_viewers") != 2 {
			t.Fatalf("stats after erasure = %s", st.raw)
		}
		// What is left of the views names nobody: two hour keys (pruned
		// after the hour) and the item's sketch.
		var cols []string
		if err := c.svc.db.NewRaw("SELECT k FROM view_hours").Scan(context.Background(), &cols); err != nil || len(cols) != 2 {
			t.Fatalf("view_hours: %v, %v", cols, err)
		}
		for _, v := range cols {
			if strings.Contains(v, alice) {
				t.Fatalf("viewer record left: %s", v)
			}
		}
		var left []int
		if err := c.svc.db.NewRaw("SELECT COUNT(*) FROM collections WHERE owner_id = ?", alice).Scan(context.Background(), &left); err != nil || left[0] != 0 {
			t.Fatalf("alice's collections left: %v %v", left, err)
		}
		if b := c.expect(200, "GET", "/v1/users/me/follows", bob, nil).items(); len(b) != 1 {
			t.Fatalf("bob's follows: %v", b)
		}
	})
}
