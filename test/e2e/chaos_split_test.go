package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
)

// chaosSplitOutage is how long each target stays dead before it is started
// again (start-up then adds its own seconds, during which its routes fail
// too).
const chaosSplitOutage = 3 * time.Second

// chaosCall is one request the traffic of TestChaosSplitKillEachTarget made
// through the gateway.
type chaosCall struct {
	op           string // what it was, e.g. "create media"
	target       string // the target the gateway routes it to
	began, ended time.Time
	status       int    // 0: no answer at all
	wrong        string // a 2xx whose content is wrong: why
	body         string // clipped, for the report of a failure
	write        bool
	acknowledged bool
}

// outageWindow is one target's outage: from the SIGKILL (killing) until
// it is ready again. Dead from killed (the process has exited) until
// restarted, then starting until ready.
type outageWindow struct {
	target                            string
	killing, killed, restarted, ready time.Time
}

// TestChaosSplitKillEachTarget runs the split deployment (every target in
// its own process on PostgreSQL and NATS, behind nginx) under a steady mix
// of writes and reads through the gateway, and SIGKILLs each target in turn,
// starting it again a few seconds later. It then checks that nothing was
// lost or duplicated: every acknowledged media create is stored once and
// published, every published item has exactly one effect in each consumer
// (a probe on the bus, search, the follower's notifications and home feed),
// reading progress holds one row per item with the last acknowledged
// position or a later one, no service parked an event as a dead letter;
// that requests to a dead target failed cleanly (502/503/504 from the
// gateway, never a 2xx with wrong content, never a 2xx while it was dead),
// and that the other targets kept serving.
func TestChaosSplitKillEachTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test: skipped with -short")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	began := time.Now()
	s := startSplitDeployment(t, "ALEXANDRIA_NOTIFY_POLL_INTERVAL=100ms", "ALEXANDRIA_LOG_LEVEL=warn")
	gw := s.gateway
	routes := parseRoutes(t)
	anon := client.New(gw, nil)
	adminTok := adminToken(ctx, t, anon)
	admin := anon.WithToken(adminTok)
	adminBearer := "Bearer " + adminTok
	readerEmail := "chaos-reader@example.org"
	readerUser, err := anon.Register(ctx, readerEmail, passwordOf(readerEmail), "Chaos reader")
	must(t, err)
	readerTok, err := anon.Login(ctx, readerEmail, passwordOf(readerEmail))
	must(t, err)
	reader := "Bearer " + readerTok.AccessToken
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Chaos: split"})
	must(t, err)
	probe := startProbe(ctx, t, t.TempDir(), s.nats.url)
	started := time.Since(began)

	// The reader follows the author: each published item then has one
	// notification and one home-feed entry for them.
	chaosWithin(t, 60*time.Second, "the author is followable", func() bool {
		st, _ := chaosDo(ctx, http.MethodPut, gw+"/v1/users/me/follows/author/"+author.ID, reader, "")
		return st == http.StatusOK
	})
	published := "published"
	var seeds []string
	for i := range 3 {
		m, err := admin.CreateMedia(ctx, client.MediaInput{Title: fmt.Sprintf("Chaos seed %d", i), Kind: "podcast",
			Language: "en", AuthorIDs: []string{author.ID}})
		must(t, err)
		_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, "")
		must(t, err)
		seeds = append(seeds, m.ID)
	}
	for _, id := range seeds {
		chaosWithin(t, 60*time.Second, "engagement knows the seed items", func() bool {
			st, _ := chaosDo(ctx, http.MethodPut, gw+"/v1/users/me/progress/"+id, reader,
				fmt.Sprintf(`{"seconds": 0, "device": "chaos", "client_time": %q}`, time.Now().UTC().Format(time.RFC3339Nano)))
			return st == http.StatusOK
		})
	}
	chaosWithin(t, 60*time.Second, "search has the seed items", func() bool {
		st, body := chaosDo(ctx, http.MethodGet, gw+"/v1/search?author_id="+author.ID, "", "")
		var r struct{ Total int }
		return st == http.StatusOK && json.Unmarshal(body, &r) == nil && r.Total == len(seeds)
	})

	// The traffic: one goroutine creates and publishes media (catalog), one
	// moves reading progress forward (engagement), two read from every
	// target.
	var (
		mu        sync.Mutex
		calls     []chaosCall
		acked     = map[string]string{} // media ID → title, acknowledged creates
		pubAcked  = map[string]bool{}   // media IDs whose publish was acknowledged
		lastAcked = map[string]int{}    // seed → the last acknowledged progress position
		maxSent   = map[string]int{}    // seed → the last position sent
	)
	call := func(op, method, path, bearer, body string, write bool, check func(status int, body []byte) string) (int, []byte) {
		c := chaosCall{op: op, target: routes.upstream(strings.SplitN(path, "?", 2)[0]), began: time.Now(), write: write}
		st, b := chaosDo(ctx, method, gw+path, bearer, body)
		c.ended, c.status = time.Now(), st
		if st >= 200 && st < 300 {
			c.acknowledged = true
			if check != nil {
				c.wrong = check(st, b)
			}
		}
		c.body = clip(b)
		mu.Lock()
		calls = append(calls, c)
		mu.Unlock()
		return st, b
	}
	stop := make(chan struct{})
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return ctx.Err() != nil
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // creates and publishes
		defer wg.Done()
		for i := 0; !stopped(); i++ {
			title := fmt.Sprintf("Chaos split item %d", i)
			in, _ := json.Marshal(client.MediaInput{Title: title, Kind: "podcast", Language: "en", AuthorIDs: []string{author.ID}})
			var m struct{ ID, Title, Status string }
			st, _ := call("create media", http.MethodPost, "/v1/media", adminBearer, string(in), true, func(_ int, b []byte) string {
				if json.Unmarshal(b, &m) != nil || m.ID == "" || m.Title != title || m.Status != "draft" {
					return "created item answered as " + clip(b)
				}
				return ""
			})
			if st != http.StatusCreated {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			mu.Lock()
			acked[m.ID] = title
			mu.Unlock()
			// Publish it, retrying through outages until acknowledged
			// (even after the traffic stops: every acknowledged create is
			// published in the end).
			for ctx.Err() == nil {
				st, _ := call("publish media", http.MethodPatch, "/v1/media/"+m.ID, adminBearer, `{"status": "published"}`, true,
					func(_ int, b []byte) string {
						var got struct{ ID, Status string }
						if json.Unmarshal(b, &got) != nil || got.ID != m.ID || got.Status != "published" {
							return "published item answered as " + clip(b)
						}
						return ""
					})
				if st == http.StatusOK {
					mu.Lock()
					pubAcked[m.ID] = true
					mu.Unlock()
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()
	wg.Add(1)
	go func() { // reading progress, always forward
		defer wg.Done()
		for i := 1; !stopped(); i++ {
			id := seeds[i%len(seeds)]
			mu.Lock()
			maxSent[id] = i
			mu.Unlock()
			st, _ := call("progress", http.MethodPut, "/v1/users/me/progress/"+id, reader,
				fmt.Sprintf(`{"seconds": %d, "device": "chaos", "client_time": %q}`, i, time.Now().UTC().Format(time.RFC3339Nano)), true,
				func(_ int, b []byte) string {
					var r struct{ Applied bool }
					if json.Unmarshal(b, &r) != nil || !r.Applied {
						return "progress not applied: " + clip(b)
					}
					return ""
				})
			if st == http.StatusOK {
				mu.Lock()
				lastAcked[id] = i
				mu.Unlock()
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	jsonObject := func(key string) func(int, []byte) string {
		return func(_ int, b []byte) string {
			var m map[string]any
			if json.Unmarshal(b, &m) != nil {
				return "not a JSON object: " + clip(b)
			}
			if _, ok := m[key]; key != "" && !ok {
				return "no " + key + ": " + clip(b)
			}
			return ""
		}
	}
	atLeastSeeds := func(field string) func(int, []byte) string {
		return func(_ int, b []byte) string {
			var r struct {
				Items []json.RawMessage `json:"items"`
				Total *int              `json:"total"`
			}
			if json.Unmarshal(b, &r) != nil {
				return "not a list: " + clip(b)
			}
			n := len(r.Items)
			if field == "total" && r.Total != nil {
				n = *r.Total
			}
			if n < len(seeds) {
				return fmt.Sprintf("%d items where the %d published seeds must be", n, len(seeds))
			}
			return ""
		}
	}
	type read struct {
		op, path, bearer string
		check            func(int, []byte) string
	}
	reads := []read{
		{"identity: me", "/v1/users/me", reader, func(_ int, b []byte) string {
			var u struct{ ID string }
			if json.Unmarshal(b, &u) != nil || u.ID != readerUser.ID {
				return "another user: " + clip(b)
			}
			return ""
		}},
		{"catalog: list media", "/v1/media?author_id=" + author.ID + "&page_size=5", "", atLeastSeeds("items")},
		{"storage: dead letters", "/v1/admin/events/storage/dead-letters", adminBearer, jsonObject("items")},
		{"processing: dead letters", "/v1/admin/events/processing/dead-letters", adminBearer, jsonObject("items")},
		{"search: by author", "/v1/search?author_id=" + author.ID, "", atLeastSeeds("total")},
		{"feeds: OPDS", "/opds/v2/catalog", "", jsonObject("metadata")},
		{"engagement: stats", "/v1/media/" + seeds[0] + "/stats", "", jsonObject("views")},
		{"analytics: trending", "/v1/trending", "", jsonObject("")},
		{"notify: unread count", "/v1/users/me/notifications/unread-count", reader, jsonObject("unread")},
		{"web: app", "/", "", func(_ int, b []byte) string {
			if !strings.Contains(strings.ToLower(string(b)), "<html") {
				return "not the app's HTML: " + clip(b)
			}
			return ""
		}},
	}
	covered := map[string]bool{}
	for _, r := range reads {
		covered[routes.upstream(strings.SplitN(r.path, "?", 2)[0])] = true
	}
	for _, target := range splitTargets {
		if !covered[target] {
			t.Fatalf("no read reaches %s", target)
		}
	}
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; !stopped(); i++ {
				r := reads[i%len(reads)]
				call(r.op, http.MethodGet, r.path, r.bearer, "", false, r.check)
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}

	// Each target in turn: SIGKILL, a few seconds dead, started again.
	time.Sleep(3 * time.Second)
	var windows []outageWindow
	for _, target := range splitTargets {
		w := outageWindow{target: target, killing: time.Now()}
		s.procs[target].kill()
		w.killed = time.Now()
		time.Sleep(chaosSplitOutage)
		w.restarted = time.Now()
		s.start(t, target)
		w.ready = time.Now()
		windows = append(windows, w)
		time.Sleep(2 * time.Second)
	}
	close(stop)
	wg.Wait()
	chaosPhase := time.Since(windows[0].killed)

	// Requests: each classified by the outage it overlapped (if any).
	type perTarget struct{ own, ownFailed, ownUnclean, othersFailed int }
	stats := map[string]*perTarget{}
	var problems []string
	problem := func(format string, args ...any) {
		if len(problems) < 30 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	steadyFailed := 0
	for _, c := range calls {
		if c.wrong != "" {
			problem("%s (%s) answered %d with wrong content: %s", c.op, c.target, c.status, c.wrong)
		}
		var w *outageWindow
		for i := range windows {
			if c.began.Before(windows[i].ready) && c.ended.After(windows[i].killing) {
				w = &windows[i]
				break
			}
		}
		ok := c.acknowledged && c.wrong == ""
		switch {
		case w == nil:
			if !ok {
				steadyFailed++
				since := "before the first kill"
				for i := len(windows) - 1; i >= 0; i-- {
					if !c.began.Before(windows[i].ready) {
						since = fmt.Sprintf("%v after %s was back", c.began.Sub(windows[i].ready).Round(time.Millisecond), windows[i].target)
						break
					}
				}
				problem("%s (%s) failed with no target down (%s, took %v): %d %s", c.op, c.target, since,
					c.ended.Sub(c.began).Round(time.Millisecond), c.status, c.body)
			}
		case c.target == w.target:
			st := stats[w.target]
			if st == nil {
				st = &perTarget{}
				stats[w.target] = st
			}
			st.own++
			if c.acknowledged && !c.began.Before(w.killed) && !c.ended.After(w.restarted) {
				problem("%s answered %d while %s was dead: %s", c.op, c.status, w.target, c.body)
			}
			if !c.acknowledged {
				st.ownFailed++
				if c.status != http.StatusBadGateway && c.status != http.StatusServiceUnavailable && c.status != http.StatusGatewayTimeout {
					st.ownUnclean++
					problem("%s while %s was down: %d %s (want 502/503/504)", c.op, w.target, c.status, c.body)
				}
			}
		default:
			st := stats[w.target]
			if st == nil {
				st = &perTarget{}
				stats[w.target] = st
			}
			if !ok {
				st.othersFailed++
				problem("%s (%s) failed while %s was down: %d %s", c.op, c.target, w.target, c.status, c.body)
			}
		}
	}
	for _, w := range windows {
		st := stats[w.target]
		if st == nil {
			st = &perTarget{}
		}
		t.Logf("%-10s dead %v, back after %v: %d requests to it during the outage, %d failed (%d not a 502/503/504); %d requests to other targets failed meanwhile",
			w.target, w.restarted.Sub(w.killed).Round(time.Millisecond), w.ready.Sub(w.restarted).Round(time.Millisecond),
			st.own, st.ownFailed, st.ownUnclean, st.othersFailed)
	}

	// What was written against what is stored.
	stored := map[string]client.Media{}
	titles := map[string]int{}
	for _, m := range collect(ctx, t, admin, client.MediaFilter{AuthorID: author.ID, ListOptions: client.ListOptions{PageSize: 100}}) {
		stored[m.ID] = m
		titles[m.Title]++
	}
	lost, dup, unacked := 0, 0, 0
	for id, title := range acked {
		m, ok := stored[id]
		switch {
		case !ok:
			lost++
			problem("acknowledged create %s (%q) is not stored", id, title)
		case pubAcked[id] && m.Status != "published":
			lost++
			problem("acknowledged publish of %s is %q", id, m.Status)
		}
	}
	for title, n := range titles {
		if n > 1 {
			dup += n - 1
			problem("%q stored %d times", title, n)
		}
	}
	want := map[string]bool{} // published items: each needs one effect per consumer
	for id, m := range stored {
		if _, ok := acked[id]; !ok && !contains(seeds, id) {
			unacked++ // its create's answer was lost in a kill: allowed, never published
		}
		if m.Status == "published" {
			want[id] = true
		}
	}
	for id := range acked {
		if !pubAcked[id] {
			problem("create %s acknowledged but never published (the publisher gave up)", id)
		}
	}

	// Effects downstream, waiting for the consumers to catch up.
	var probeOff, searchOff, notifyOff, feedOff []string
	deadline := time.Now().Add(90 * time.Second)
	for {
		effects := probe.effects(ctx, t)
		probeOff = offByOne(stored, effects)
		searchOff = offByOne(want, chaosCollect(ctx, t, gw, "/v1/search?author_id="+author.ID+"&page_size=100", "", "media.id", ""))
		notifyOff = offByOne(want, chaosCollect(ctx, t, gw, "/v1/users/me/notifications?page_size=100", reader, "subject", "media/"))
		feedOff = offByOne(want, chaosCollect(ctx, t, gw, "/v1/users/me/feed?page_size=100", reader, "media_id", ""))
		if len(probeOff)+len(searchOff)+len(notifyOff)+len(feedOff) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	for what, off := range map[string][]string{"bus probe (catalog.media.created)": probeOff, "search": searchOff,
		"notifications": notifyOff, "home feed": feedOff} {
		if len(off) > 0 {
			problem("%s: %d items without exactly one effect: %s", what, len(off), strings.Join(first(off, 5), ", "))
		}
	}
	progress := map[string][]float64{}
	for _, it := range chaosItems(ctx, t, gw, "/v1/users/me/progress?page_size=100", reader) {
		id, _ := it["media_id"].(string)
		sec, _ := it["seconds"].(float64)
		progress[id] = append(progress[id], sec)
	}
	progressOK := 0
	for _, id := range seeds {
		p := progress[id]
		switch {
		case len(p) != 1:
			problem("progress of %s: %d rows, want 1", id, len(p))
		case int(p[0]) < lastAcked[id] || int(p[0]) > maxSent[id]:
			problem("progress of %s at %v: the last acknowledged was %d, the last sent %d", id, p[0], lastAcked[id], maxSent[id])
		default:
			progressOK++
		}
	}
	parked := 0
	for _, svc := range apiTargets {
		items := chaosItems(ctx, t, gw, "/v1/admin/events/"+svc+"/dead-letters?page_size=100", adminBearer)
		if len(items) > 0 {
			parked += len(items)
			raw, _ := json.Marshal(items[0])
			problem("%s parked %d events as dead letters, e.g. %s", svc, len(items), clip(raw))
		}
	}

	writes, writesAcked, readCalls := 0, 0, 0
	for _, c := range calls {
		if c.write {
			writes++
			if c.acknowledged {
				writesAcked++
			}
		} else {
			readCalls++
		}
	}
	t.Logf("split deployment started in %v; chaos phase %v (10 kills); %d writes (%d acknowledged), %d reads; %d failed with no target down",
		started.Round(time.Millisecond), chaosPhase.Round(time.Millisecond), writes, writesAcked, readCalls, steadyFailed)
	t.Logf("media: %d creates acknowledged, %d publishes acknowledged, %d stored (%d of them created by a request whose answer a kill lost), "+
		"lost %d, duplicated %d; effects of %d published items: probe off %d, search off %d, notifications off %d, feed off %d; "+
		"progress %d/%d seeds right; dead letters %d",
		len(acked), len(pubAcked), len(stored)-len(seeds), unacked, lost, dup, len(want),
		len(probeOff), len(searchOff), len(notifyOff), len(feedOff), progressOK, len(seeds), parked)
	if len(acked) < 20 {
		problem("only %d creates acknowledged: the test exercised too little", len(acked))
	}
	if len(problems) > 0 {
		t.Errorf("%d problems:\n%s", len(problems), strings.Join(problems, "\n"))
	}
}

// chaosDo makes one request with a bounded wait; 0 is no answer at all.
func chaosDo(ctx context.Context, method, url, bearer, body string) (int, []byte) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return 0, []byte(err.Error())
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// chaosItems pages through a list answer ("items", "next_page_token").
func chaosItems(ctx context.Context, t *testing.T, gw, path, bearer string) []map[string]any {
	t.Helper()
	var out []map[string]any
	token := ""
	for range 100 {
		p := path
		if token != "" {
			p += "&page_token=" + url.QueryEscape(token)
		}
		st, b := chaosDo(ctx, http.MethodGet, gw+p, bearer, "")
		var page struct {
			Items         []map[string]any `json:"items"`
			NextPageToken string           `json:"next_page_token"`
		}
		if st != http.StatusOK || json.Unmarshal(b, &page) != nil {
			t.Fatalf("GET %s: %d %s", p, st, clip(b))
		}
		out = append(out, page.Items...)
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	return out
}

// chaosCollect counts the media IDs a list names in field (a dotted path;
// the ID follows prefix).
func chaosCollect(ctx context.Context, t *testing.T, gw, path, bearer, field, prefix string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, it := range chaosItems(ctx, t, gw, path, bearer) {
		var v any = it
		for _, k := range strings.Split(field, ".") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		if v, ok := v.(string); ok && strings.HasPrefix(v, prefix) {
			out[strings.TrimPrefix(v, prefix)]++
		}
	}
	return out
}

// offByOne lists what does not have exactly one effect: wanted IDs seen 0
// or 2+ times, and effects for IDs not wanted.
func offByOne[V any](want map[string]V, seen map[string]int) []string {
	var out []string
	for id := range want {
		if n := seen[id]; n != 1 {
			out = append(out, fmt.Sprintf("%s×%d", id, n))
		}
	}
	for id, n := range seen {
		if _, ok := want[id]; !ok {
			out = append(out, fmt.Sprintf("%s×%d (not expected)", id, n))
		}
	}
	sort.Strings(out)
	return out
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// chaosWithin polls cond every 100 ms until it holds or d passes.
func chaosWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
