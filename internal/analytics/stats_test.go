package analytics

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestAuthorTimeseries(t *testing.T) {
	now := time.Date(2026, 3, 11, 15, 30, 0, 0, time.UTC)
	forEachServer(t, now, nil, func(t *testing.T, c *api) {
		author, other := uuid.NewString(), uuid.NewString()
		i1, i2, i3 := uuid.NewString(), uuid.NewString(), uuid.NewString()
		c.media(eventMediaPublished, item{ID: i1, Kind: "video", Status: "published", Authors: []string{author}}, 2)
		c.media(eventMediaPublished, item{ID: i2, Kind: "book", Status: "published", Authors: []string{author, other}}, 2)
		c.media(eventMediaPublished, item{ID: i3, Kind: "book", Status: "published", Authors: []string{other}}, 2)
		member, outsider := c.user(), c.user()
		c.publish("catalog", eventMemberAdded, "author/"+author, author, now, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		h := func(d time.Duration) time.Time { return now.Add(-d) }
		view := func(id string, at time.Time, views, unique int64) {
			c.publish("engagement", eventViewRecorded, "media/"+id, id, at, map[string]any{"media_id": id, "views": views, "unique_viewers": unique})
		}
		view(i1, h(3*time.Hour), 5, 2)
		view(i1, h(3*time.Hour-time.Minute), 1, 1)
		view(i2, h(time.Hour), 4, 4)
		view(i3, h(time.Hour), 9, 9) // not the author's
		u := uuid.NewString()
		c.publish("engagement", eventLikeCreated, "like/"+i2, i2, h(time.Hour), map[string]any{"user_id": u, "media_id": i2})
		for range 2 { // finishing twice counts once
			c.publish("engagement", eventProgressUpdated, "progress/"+i1, i1, h(10*time.Minute), map[string]any{"user_id": u, "media_id": i1, "state": "finished"})
		}
		c.publish("engagement", eventFollowCreated, "follow/"+author, author, h(2*time.Hour), map[string]any{"user_id": u, "target_type": "author", "target_id": author})
		c.publish("engagement", eventFollowCreated, "follow/x", "x", h(2*time.Hour), map[string]any{"user_id": u, "target_type": "tag", "target_id": "go"})
		c.waitHandled(13)

		// i1's completion is its first engagement in the hour: no previous
		// window, ω = 1, and it is the hour's top item (υ = 1).
		if got := c.expect(200, "/v1/trending?window=hour", "").items(); len(got) != 1 || got[0]["media_id"] != i1 ||
			got[0]["omega"].(float64) != 1 || got[0]["phi"].(float64) != 2 || got[0]["y_prev"].(float64) != 0 {
			t.Fatalf("hour trending: %v", got)
		}

		from, to := h(4*time.Hour).Format(time.RFC3339), now.Format(time.RFC3339)
		path := "/v1/authors/" + author + "/stats/timeseries?interval=hour&from=" + from + "&to=" + to
		r := c.expect(200, path, member)
		total := r.body["total"].([]any)
		if len(total) != 5 { // 11:00 .. 15:00
			t.Fatalf("%d hourly points, want 5: %s", len(total), r.raw)
		}
		want := []map[string]float64{
			{"views": 0}, {"views": 6, "unique_viewers": 3}, {"new_followers": 1}, {"views": 4, "unique_viewers": 4, "likes": 1}, {"completions": 1},
		}
		for i, p := range total {
			pt := p.(map[string]any)
			for _, k := range []string{"views", "unique_viewers", "likes", "completions", "new_followers"} {
				if pt[k].(float64) != want[i][k] {
					t.Fatalf("point %d (%v) %s = %v, want %v", i, pt["start"], k, pt[k], want[i][k])
				}
			}
		}
		items := r.body["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("%d items, want the author's 2: %s", len(items), r.raw)
		}
		for _, it := range items {
			m := it.(map[string]any)
			if m["media_id"] == i3 {
				t.Fatal("another author's item is listed")
			}
		}
		day := c.expect(200, "/v1/authors/"+author+"/stats/timeseries?interval=day&from="+from+"&to="+to, member)
		if pts := day.body["total"].([]any); len(pts) != 1 || pts[0].(map[string]any)["views"].(float64) != 10 {
			t.Fatalf("daily: %s", day.raw)
		}

		c.expect(403, path, outsider)
		c.expect(401, path, "")
		for _, bad := range []string{
			"interval=minute&from=" + from + "&to=" + to,
			"interval=hour&from=yesterday&to=" + to,
			"interval=hour&from=" + to + "&to=" + from,
			"interval=hour&from=2020-01-01T00:00:00Z&to=" + to,
		} {
			c.expect(422, "/v1/authors/"+author+"/stats/timeseries?"+bad, member)
		}
		c.publish("catalog", eventMemberRemoved, "author/"+author, author, now, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		c.waitHandled(14)
		c.expect(403, path, member)

		// Erasure: the user's completions go, the counts stay.
		c.publish("identity", eventUserDeleted, "user/"+u, u, now, map[string]any{"id": u})
		eventually(t, "completions erased", func() bool {
			var n []int
			if err := c.svc.db.NewRaw("SELECT COUNT(*) FROM analytics_completions WHERE user_id = ?", u).Scan(context.Background(), &n); err != nil {
				t.Fatal(err)
			}
			return n[0] == 0
		})
		c.publish("catalog", eventMemberAdded, "author/"+author, author, now, map[string]any{"author_id": author, "user_id": member, "role": "owner"})
		eventually(t, "member again", func() bool { return c.call(path, member).status == 200 })
		if pts := c.expect(200, path, member).body["total"].([]any); pts[4].(map[string]any)["completions"].(float64) != 1 {
			t.Fatalf("completion count lost with the user: %v", pts[4])
		}
	})
}

func TestRelatedServesVisibleItems(t *testing.T) {
	now := time.Date(2026, 3, 11, 15, 30, 0, 0, time.UTC)
	forEachServer(t, now, nil, func(t *testing.T, c *api) {
		a, b, hidden := uuid.NewString(), uuid.NewString(), uuid.NewString()
		c.media(eventMediaPublished, item{ID: a, Kind: "video", Status: "published"}, 2)
		c.media(eventMediaPublished, item{ID: b, Kind: "book", Status: "published"}, 2)
		c.media(eventMediaRemoved, item{ID: hidden, Kind: "book", Status: "removed"}, 2)
		c.waitHandled(3)
		for _, r := range [][3]any{{a, b, 0.5}, {a, hidden, 0.9}} {
			if _, err := c.svc.db.NewRaw("INSERT INTO analytics_related (media_id, related_id, score) VALUES (?, ?, ?)", r[0], r[1], r[2]).
				Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		got := c.expect(200, "/v1/media/"+a+"/related", "").items()
		if len(got) != 1 || got[0]["media_id"] != b || got[0]["kind"] != "book" {
			t.Fatalf("related: %v", got)
		}
		c.expect(404, "/v1/media/"+hidden+"/related", "")
		c.expect(404, "/v1/media/not-an-id/related", "")
		c.expect(404, "/v1/media/"+uuid.NewString()+"/related", "")
	})
}
