package analytics

import (
	"math"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
)

// scripted is one engagement event of the replay, with when it happened
// (at) and when the stream sees it (arrive).
type scripted struct {
	typ           string
	user, mediaID string
	author        string
	views, unique int64
	state         string
	at, arrive    time.Time
	clock         time.Time // the service's clock while it handles the event
}

// The replay check: a scripted set of events streamed through the service,
// with delays (some beyond the lateness), against a batch recomputation of
// y, ω, υ and Φ over the same events written here from the definitions.
func TestTrendingReplayMatchesBatch(t *testing.T) {
	now := time.Date(2026, 3, 11, 15, 30, 0, 0, time.UTC) // a Wednesday
	const lateness = 10 * time.Minute
	forEachServer(t, now, func(c *Config) { c.Lateness = lateness }, func(t *testing.T, c *api) {
		authorA, authorB := uuid.NewString(), uuid.NewString()
		cat1, cat2 := uuid.NewString(), uuid.NewString()
		items := []item{
			{ID: uuid.NewString(), Kind: "video", Language: "en", Status: "published", Authors: []string{authorA}, Cats: []string{cat1}},
			{ID: uuid.NewString(), Kind: "book", Language: "fr", Status: "published", Authors: []string{authorA}, Cats: []string{cat2}},
			{ID: uuid.NewString(), Kind: "podcast", Language: "en", Status: "published", Authors: []string{authorB}, Cats: []string{cat1, cat2}},
			{ID: uuid.NewString(), Kind: "video", Language: "en", Status: "published", Authors: []string{authorB}},
			{ID: uuid.NewString(), Kind: "video", Language: "en", Status: "removed", Authors: []string{authorA}, Cats: []string{cat1}},
		}
		for _, it := range items {
			c.media(eventMediaCreated, it, 3)
		}
		c.waitHandled(len(items))

		rng := rand.New(rand.NewSource(14))
		users := make([]string, 8)
		for i := range users {
			users[i] = uuid.NewString()
		}
		var script []scripted
		for range 400 {
			var at time.Time
			if rng.Intn(10) < 4 { // dense in the last two hours
				at = now.Add(-time.Duration(rng.Int63n(int64(2 * time.Hour))))
			} else {
				at = now.Add(-time.Duration(rng.Int63n(int64(9 * 24 * time.Hour))))
			}
			delay := time.Duration(rng.Int63n(int64(2 * time.Minute)))
			switch r := rng.Intn(20); {
			case r < 3:
				delay = 2*time.Minute + time.Duration(rng.Int63n(int64(13*time.Minute)))
			case r < 4:
				delay = time.Hour + time.Duration(rng.Int63n(int64(2*time.Hour)))
			}
			e := scripted{at: at, arrive: at.Add(delay), user: users[rng.Intn(len(users))], mediaID: items[rng.Intn(len(items))].ID}
			if e.arrive.After(now) {
				e.arrive = now
			}
			switch r := rng.Intn(10); {
			case r < 4:
				e.typ, e.views = eventViewRecorded, 1+rng.Int63n(5)
				e.unique = rng.Int63n(e.views + 1)
			case r < 6:
				e.typ = eventLikeCreated
			case r < 7:
				e.typ = eventLikeDeleted
			case r < 9:
				e.typ, e.state = eventProgressUpdated, "finished"
				if rng.Intn(4) == 0 {
					e.state = "in_progress"
				}
			default:
				e.typ, e.author = eventFollowCreated, []string{authorA, authorB}[rng.Intn(2)]
			}
			script = append(script, e)
		}
		sort.SliceStable(script, func(i, j int) bool { return script[i].arrive.Before(script[j].arrive) })

		// Stream in chunks: the clock is the last arrival of the chunk
		// while the chunk is handled.
		handled := c.handled()
		for i := 0; i < len(script); i += 20 {
			chunk := script[i:min(i+20, len(script))]
			clock := chunk[len(chunk)-1].arrive
			c.clock.Set(clock)
			for j := range chunk {
				e := &script[i+j]
				e.clock = clock
				c.publishScripted(*e)
			}
			handled += len(chunk)
			c.waitHandled(handled)
		}
		c.clock.Set(now)

		visible := map[string]item{}
		for _, it := range items {
			if it.Status == "published" {
				visible[it.ID] = it
			}
		}
		weights := DefaultConfig()
		for _, win := range []string{"hour", "day", "week"} {
			want := batchScores(script, visible, weights, win, now, lateness)
			for _, f := range []struct{ query, kind, cat, lang string }{
				{}, {query: "&kind=video", kind: "video"}, {query: "&category_id=" + cat1, cat: cat1}, {query: "&language=fr", lang: "fr"},
			} {
				var filtered []batchScore
				for _, b := range want {
					it := visible[b.id]
					if f.kind != "" && it.Kind != f.kind || f.lang != "" && it.Language != f.lang || f.cat != "" && !contains(it.Cats, f.cat) {
						continue
					}
					filtered = append(filtered, b)
				}
				got := c.expect(200, "/v1/trending?limit=100&window="+win+f.query, "").items()
				compare(t, "trending "+win+f.query, got, sortBatch(filtered, false))
				got = c.expect(200, "/v1/popular?limit=100&window="+win+f.query, "").items()
				compare(t, "popular "+win+f.query, got, sortBatch(filtered, true))
			}
			if len(want) == 0 {
				t.Fatalf("window %s: the script left nothing to rank", win)
			}
		}
		hidden := items[4].ID
		for _, it := range c.expect(200, "/v1/trending?window=week&limit=100", "").items() {
			if it["media_id"] == hidden {
				t.Fatal("a removed item trends")
			}
		}
		for _, bad := range []string{"window=month", "kind=song", "category_id=x", "limit=0", "limit=101"} {
			r := c.expect(422, "/v1/trending?"+bad, "")
			if r.body["errors"] == nil && r.body["detail"] == nil {
				t.Fatalf("%s: no problem details: %s", bad, r.raw)
			}
		}
	})
}

func (c *api) publishScripted(e scripted) {
	c.t.Helper()
	switch e.typ {
	case eventViewRecorded:
		c.publish("engagement", e.typ, "media/"+e.mediaID, e.mediaID, e.at, map[string]any{"media_id": e.mediaID,
			"views": e.views, "unique_viewers": e.unique, "counted_at": e.at})
	case eventLikeCreated, eventLikeDeleted:
		c.publish("engagement", e.typ, "like/"+e.mediaID, e.mediaID, e.at, map[string]any{"user_id": e.user, "media_id": e.mediaID, "at": e.at})
	case eventProgressUpdated:
		c.publish("engagement", e.typ, "progress/"+e.mediaID, e.mediaID, e.at, map[string]any{"user_id": e.user,
			"media_id": e.mediaID, "percent": 97, "state": e.state, "device": "d", "client_time": e.at})
	case eventFollowCreated:
		c.publish("engagement", e.typ, "follow/"+e.author, e.author, e.at, map[string]any{"user_id": e.user,
			"target_type": "author", "target_id": e.author, "at": e.at})
	}
}

type batchScore struct {
	id                       string
	y, prev, omega, ups, phi float64
}

// windowStart is the start of the window of length win holding t, from
// the calendar (weeks start on Monday).
func windowStart(win string, t time.Time) time.Time {
	t = t.UTC()
	switch win {
	case "hour":
		return t.Truncate(time.Hour)
	case "day":
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	back := (int(d.Weekday()) + 6) % 7 // days since Monday
	return d.AddDate(0, 0, -back)
}

func windowEnd(win string, start time.Time) time.Time {
	switch win {
	case "hour":
		return start.Add(time.Hour)
	case "day":
		return start.AddDate(0, 0, 1)
	}
	return start.AddDate(0, 0, 7)
}

// batchScores recomputes every visible item's score in the window holding
// now from the whole script at once.
func batchScores(script []scripted, visible map[string]item, cfg Config, win string, now time.Time, lateness time.Duration) []batchScore {
	y := map[time.Time]map[string]float64{}
	add := func(e scripted, id string, v float64) {
		start := windowStart(win, e.at)
		if e.clock.After(windowEnd(win, start).Add(lateness)) {
			return // too late for its window
		}
		if y[start] == nil {
			y[start] = map[string]float64{}
		}
		y[start][id] += v
	}
	finished := map[[2]string]bool{}
	for _, e := range script {
		switch e.typ {
		case eventViewRecorded:
			add(e, e.mediaID, cfg.WeightView*float64(e.views))
		case eventLikeCreated:
			add(e, e.mediaID, cfg.WeightLike)
		case eventLikeDeleted:
			add(e, e.mediaID, -cfg.WeightLike)
		case eventProgressUpdated:
			k := [2]string{e.user, e.mediaID}
			if e.state != "finished" || finished[k] {
				continue
			}
			finished[k] = true
			add(e, e.mediaID, cfg.WeightCompletion)
		case eventFollowCreated:
			for id, it := range visible {
				if contains(it.Authors, e.author) {
					add(e, id, cfg.WeightFollow)
				}
			}
		}
	}
	cur := windowStart(win, now)
	var prevStart time.Time
	switch win {
	case "hour":
		prevStart = cur.Add(-time.Hour)
	case "day":
		prevStart = cur.AddDate(0, 0, -1)
	default:
		prevStart = cur.AddDate(0, 0, -7)
	}
	top := 0.0
	for id, v := range y[cur] {
		if _, ok := visible[id]; ok && v > top {
			top = v
		}
	}
	var out []batchScore
	for id, v := range y[cur] {
		if _, ok := visible[id]; !ok || v <= 1e-9 {
			continue
		}
		b := batchScore{id: id, y: v, prev: math.Max(y[prevStart][id], 0)}
		switch {
		case b.prev > 0:
			b.omega = (b.y - b.prev) / b.prev
		default:
			b.omega = 1
		}
		b.ups = b.y / top
		b.phi = b.omega + b.ups
		out = append(out, b)
	}
	return out
}

func sortBatch(in []batchScore, byY bool) []batchScore {
	out := append([]batchScore(nil), in...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].phi, out[j].phi
		if byY {
			a, b = out[i].y, out[j].y
		}
		if a != b {
			return a > b
		}
		return out[i].id < out[j].id
	})
	return out
}

func compare(t *testing.T, what string, got []map[string]any, want []batchScore) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d items, batch says %d: %v vs %+v", what, len(got), len(want), got, want)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }
	for i, w := range want {
		g := got[i]
		if g["media_id"] != w.id {
			t.Fatalf("%s #%d: %v, batch says %s (%+v)", what, i, g["media_id"], w.id, w)
		}
		for k, v := range map[string]float64{"y": w.y, "y_prev": w.prev, "omega": w.omega, "upsilon": w.ups, "phi": w.phi} {
			if gv, _ := g[k].(float64); !near(gv, v) {
				t.Fatalf("%s #%d %s: %s = %v, batch says %v", what, i, w.id, k, g[k], v)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
