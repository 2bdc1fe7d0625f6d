package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
)

// The engagement target on the real binary (all targets in one process):
// catalog's events feed its read model; follows, the feed, views, progress
// from two devices and user erasure go through the public API.

// engagementJSON calls an engagement endpoint and decodes the answer.
func engagementJSON(t *testing.T, method, url, bearer, body string) (int, map[string]any) {
	t.Helper()
	return engagementAs(t, "AlexandriaTestApp/1.0", method, url, bearer, body)
}

// engagementAs is engagementJSON from a client with the given User-Agent.
func engagementAs(t *testing.T, agent, method, url, bearer, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	must(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", bearer)
	}
	req.Header.Set("User-Agent", agent)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// within polls cond (about every 20 ms) until it holds or 20 s pass.
func within(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func listOf(body map[string]any) []map[string]any {
	raw, _ := body["items"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, it := range raw {
		out = append(out, it.(map[string]any))
	}
	return out
}

func TestEngagementJourney(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d, anon, admin, _ := adminOnNewInstance(ctx, t)
	base := d.URL()
	aliceUser, err := anon.Register(ctx, "alice@example.org", passwordOf("alice@example.org"), "Alice")
	must(t, err)
	aliceTok, err := anon.Login(ctx, "alice@example.org", passwordOf("alice@example.org"))
	must(t, err)
	alice := "Bearer " + aliceTok.AccessToken

	// Follow → publish → appears in the feed.
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Followed"})
	must(t, err)
	other, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Not followed"})
	must(t, err)
	within(t, "the author is followable", func() bool {
		s, _ := engagementJSON(t, "PUT", base+"/v1/users/me/follows/author/"+author.ID, alice, "")
		return s == http.StatusOK
	})
	if s, _ := engagementJSON(t, "PUT", base+"/v1/users/me/follows/author/"+uuidLike(), alice, ""); s != http.StatusNotFound {
		t.Fatalf("following an unknown author: %d", s)
	}
	published := "published"
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Episode 1", Kind: "podcast", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)
	_, err = admin.CreateMedia(ctx, client.MediaInput{Title: "Elsewhere", Kind: "podcast", Language: "en", AuthorIDs: []string{other.ID}})
	must(t, err)
	if s, body := engagementJSON(t, "GET", base+"/v1/users/me/feed", alice, ""); s != 200 || len(listOf(body)) != 0 {
		t.Fatalf("feed before publishing: %d %v", s, body)
	}
	_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, "")
	must(t, err)
	within(t, "the published item in the feed", func() bool {
		_, body := engagementJSON(t, "GET", base+"/v1/users/me/feed", alice, "")
		items := listOf(body)
		return len(items) == 1 && items[0]["media_id"] == m.ID && items[0]["title"] == "Episode 1"
	})

	// View rules: repeated plays count once, short plays and crawlers never.
	views := base + "/v1/media/" + m.ID + "/views"
	for range 20 {
		if s, _ := engagementJSON(t, "POST", views, alice, `{"seconds_played": 15}`); s != http.StatusAccepted {
			t.Fatalf("view: %d", s)
		}
	}
	engagementJSON(t, "POST", views, "", `{"seconds_played": 5}`)
	if s, body := engagementAs(t, "Googlebot/2.1 (+http://www.google.com/bot.html)", "POST", views, "", `{"seconds_played": 60}`); s != http.StatusAccepted || body["outcome"] != "crawler" {
		t.Fatalf("crawler view: %d %v", s, body)
	}
	within(t, "one view counted", func() bool {
		_, st := engagementJSON(t, "GET", base+"/v1/media/"+m.ID+"/stats", alice, "")
		return st["views"] == float64(1) && st["unique_viewers"] == float64(1)
	})
	if s, _ := engagementJSON(t, "PUT", base+"/v1/media/"+m.ID+"/like", alice, ""); s != http.StatusNoContent {
		t.Fatalf("like: %d", s)
	}

	// Progress from two devices with skewed clocks: the later client_time wins.
	now := time.Now().UTC()
	put := func(seconds int, device string, at time.Time) map[string]any {
		s, body := engagementJSON(t, "PUT", base+"/v1/users/me/progress/"+m.ID, alice,
			fmt.Sprintf(`{"seconds": %d, "device": %q, "client_time": %q}`, seconds, device, at.Format(time.RFC3339Nano)))
		if s != 200 {
			t.Fatalf("progress: %d %v", s, body)
		}
		return body
	}
	put(120, "laptop", now.Add(3*time.Minute))  // clock 3 min ahead
	put(200, "phone", now.Add(-10*time.Minute)) // later in real time, clock 10 min behind
	_, body := engagementJSON(t, "GET", base+"/v1/users/me/progress?state=in_progress", alice, "")
	if items := listOf(body); len(items) != 1 || items[0]["device"] != "laptop" || items[0]["seconds"] != float64(120) {
		t.Fatalf("progress after skewed devices: %v", body)
	}

	// Deleting the user erases their engagement; the counts stay.
	must(t, admin.DeleteUser(ctx, aliceUser.ID))
	within(t, "alice's follows erased", func() bool {
		s, body := engagementJSON(t, "GET", base+"/v1/users/me/follows", alice, "")
		return s == http.StatusUnauthorized || (s == 200 && len(listOf(body)) == 0)
	})
	_, st := engagementJSON(t, "GET", base+"/v1/media/"+m.ID+"/stats", "", "")
	if st["views"] != float64(1) || st["likes"] != float64(1) {
		t.Fatalf("counts after erasure: %v", st)
	}
	if s, body := engagementJSON(t, "GET", base+"/v1/users/me/progress", alice, ""); s == 200 && len(listOf(body)) != 0 {
		t.Fatalf("progress after erasure: %v", body)
	}
}

// uuidLike is a well-formed ID nothing has.
func uuidLike() string { return "00000000-0000-4000-8000-000000000000" }

// TestEngagementMQTTProgress: with ALEXANDRIA_MQTT_URL set, a device's
// message on the machine's Mosquitto, carrying a personal API token with
// the progress:write scope, shows up in GET /v1/users/me/progress; a wrong
// token and another user's topic are dropped and counted in /metrics.
func TestEngagementMQTTProgress(t *testing.T) {
	t.Parallel()
	broker := "127.0.0.1:1883"
	if conn, err := net.DialTimeout("tcp", broker, 2*time.Second); err != nil {
		if requireServers() {
			t.Fatalf("Mosquitto required: %v", err)
		}
		t.Skipf("Mosquitto unreachable: %v", err)
	} else {
		_ = conn.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())
	d := single(t, []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_FORMAT=json",
		"ALEXANDRIA_MQTT_URL=mqtt://" + broker, "ALEXANDRIA_ENGAGEMENT_MQTT_CLIENT_ID=e2e-engagement-" + suffix})
	base := d.URL()
	anon := client.New(base, nil)
	admin := signIn(ctx, t, anon, adminEmail, adminPassword)
	alice, err := anon.Register(ctx, "alice@example.org", passwordOf("alice@example.org"), "Alice")
	must(t, err)
	tok, err := anon.Login(ctx, "alice@example.org", passwordOf("alice@example.org"))
	must(t, err)
	bearer := "Bearer " + tok.AccessToken
	bob, err := anon.Register(ctx, "bob@example.org", passwordOf("bob@example.org"), "Bob")
	must(t, err)

	s, created := engagementJSON(t, "POST", base+"/v1/users/me/tokens", bearer, `{"name": "car stereo", "scopes": ["progress:write"]}`)
	if s != http.StatusCreated || created["token"] == nil {
		t.Fatalf("api token: %d %v", s, created)
	}
	apiToken := created["token"].(string)
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Narrator"})
	must(t, err)
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Audiobook", Kind: "podcast", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)
	published := "published"
	_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, "")
	must(t, err)

	dev := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker).SetClientID("e2e-device-" + suffix))
	if tk := dev.Connect(); tk.Wait() && tk.Error() != nil {
		t.Fatal(tk.Error())
	}
	t.Cleanup(func() { dev.Disconnect(100) })
	send := func(user, token string, seconds int) {
		b, _ := json.Marshal(map[string]any{"media_id": m.ID, "seconds": seconds, "device": "car",
			"client_time": time.Now().UTC().Format(time.RFC3339Nano), "api_token": token})
		if tk := dev.Publish("alexandria/v1/users/"+user+"/progress", 1, false, b); tk.Wait() && tk.Error() != nil {
			t.Fatal(tk.Error())
		}
	}
	within(t, "the device's progress over MQTT", func() bool {
		send(alice.ID, apiToken, 300)
		_, body := engagementJSON(t, "GET", base+"/v1/users/me/progress", bearer, "")
		items := listOf(body)
		return len(items) == 1 && items[0]["device"] == "car" && items[0]["seconds"] == float64(300)
	})
	send(alice.ID, "alx_forged", 900)
	send(bob.ID, apiToken, 900)
	within(t, "dropped messages counted in /metrics", func() bool {
		metrics := doAuth(t, "GET", d.p.OpsURL+"/metrics", "", "", "").body
		return strings.Contains(metrics, `alexandria_engagement_mqtt_messages_total{result="bad_token"} 1`) &&
			strings.Contains(metrics, `alexandria_engagement_mqtt_messages_total{result="wrong_user"} 1`)
	})
	_, body := engagementJSON(t, "GET", base+"/v1/users/me/progress", bearer, "")
	if items := listOf(body); len(items) != 1 || items[0]["seconds"] != float64(300) {
		t.Fatalf("a dropped message changed the progress: %v", body)
	}

	// The same personal token over HTTP: exchanged at identity, its access
	// token (progress:write only) may save progress and do nothing else.
	s, ex := engagementJSON(t, "POST", base+"/v1/auth/token", "", `{"api_token": "`+apiToken+`"}`)
	if s != http.StatusOK || ex["access_token"] == nil {
		t.Fatalf("token exchange: %d %v", s, ex)
	}
	device := "Bearer " + ex["access_token"].(string)
	put := `{"seconds": 420, "device": "car", "client_time": "` + time.Now().UTC().Add(time.Second).Format(time.RFC3339Nano) + `"}`
	if s, r := engagementJSON(t, "PUT", base+"/v1/users/me/progress/"+m.ID, device, put); s != http.StatusOK || r["applied"] != true {
		t.Fatalf("progress over HTTP with a progress:write token: %d %v", s, r)
	}
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/v1/users/me/progress", ""},
		{"PUT", "/v1/media/" + m.ID + "/like", ""},
		{"POST", "/v1/collections", `{"name": "x"}`},
		{"GET", "/v1/users/me", ""},
		{"PATCH", "/v1/media/" + m.ID, `{"title": "x"}`},
	} {
		if s, _ := engagementJSON(t, c.method, base+c.path, device, c.body); s != http.StatusForbidden {
			t.Fatalf("%s %s with a progress:write token: %d, want 403", c.method, c.path, s)
		}
	}
	_, body = engagementJSON(t, "GET", base+"/v1/users/me/progress", bearer, "")
	if items := listOf(body); len(items) != 1 || items[0]["seconds"] != float64(420) {
		t.Fatalf("progress saved over HTTP: %v", body)
	}
}

// TestEngagementReportResolved: a reader reports an item, a moderator
// resolves the report with remove, and catalog removes the item.
func TestEngagementReportResolved(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d, anon, admin, adminTok := adminOnNewInstance(ctx, t)
	base := d.URL()
	_, err := anon.Register(ctx, "carol@example.org", passwordOf("carol@example.org"), "Carol")
	must(t, err)
	tok, err := anon.Login(ctx, "carol@example.org", passwordOf("carol@example.org"))
	must(t, err)
	carol := "Bearer " + tok.AccessToken
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Spammer"})
	must(t, err)
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Buy now", Kind: "document", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)
	published := "published"
	_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, "")
	must(t, err)
	var report map[string]any
	within(t, "the item reportable", func() bool {
		var s int
		s, report = engagementJSON(t, "POST", base+"/v1/reports", carol, fmt.Sprintf(`{"target_type": "media", "target_id": %q, "reason": "spam"}`, m.ID))
		return s == http.StatusCreated
	})
	if s, _ := engagementJSON(t, "GET", base+"/v1/admin/reports?state=open", carol, ""); s != http.StatusForbidden {
		t.Fatalf("a reader listed reports: %d", s)
	}
	mod := "Bearer " + adminTok.AccessToken
	_, open := engagementJSON(t, "GET", base+"/v1/admin/reports?state=open", mod, "")
	if items := listOf(open); len(items) != 1 || items[0]["target_id"] != m.ID {
		t.Fatalf("open reports: %v", open)
	}
	s, resolved := engagementJSON(t, "POST", base+"/v1/admin/reports/"+report["id"].(string)+"/resolve", mod, `{"action": "remove", "note": "spam"}`)
	if s != 200 || resolved["state"] != "resolved" || resolved["action"] != "remove" {
		t.Fatalf("resolve: %d %v", s, resolved)
	}
	if _, err := anon.GetMedia(ctx, m.ID); StatusOf(err) != http.StatusNotFound {
		t.Fatalf("the removed item is still public: %v", err)
	}
	within(t, "engagement hides the removed item", func() bool {
		s, _ := engagementJSON(t, "GET", base+"/v1/media/"+m.ID+"/stats", "", "")
		return s == http.StatusNotFound
	})
}

// TestEngagementReportSuspendByModerator: a moderator (not an
// administrator) resolves a user report with suspend through identity's
// moderator-allowed suspension; the reported reader can no longer sign in,
// and a report against another moderator cannot be resolved that way.
func TestEngagementReportSuspendByModerator(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d, anon, _, adminTok := adminOnNewInstance(ctx, t)
	base := d.URL()
	root := "Bearer " + adminTok.AccessToken
	registerAndSignInUser(ctx, t, anon, "carol@example.org", "Carol")
	spammer, _ := registerAndSignInUser(ctx, t, anon, "spammer@example.org", "Spammer")
	moUser, _ := registerAndSignInUser(ctx, t, anon, "mo@example.org", "Mo")
	otherMod, _ := registerAndSignInUser(ctx, t, anon, "otto@example.org", "Otto")
	for _, id := range []string{moUser.ID, otherMod.ID} {
		if s, body := engagementJSON(t, "PATCH", base+"/v1/users/"+id, root, `{"roles": ["moderator"]}`); s != http.StatusOK {
			t.Fatalf("make moderator: %d %v", s, body)
		}
	}
	tok, err := anon.Login(ctx, "carol@example.org", passwordOf("carol@example.org"))
	must(t, err)
	reporter := "Bearer " + tok.AccessToken
	tok, err = anon.Login(ctx, "mo@example.org", passwordOf("mo@example.org"))
	must(t, err)
	mod := "Bearer " + tok.AccessToken

	report := func(target string) string {
		s, r := engagementJSON(t, "POST", base+"/v1/reports", reporter, fmt.Sprintf(`{"target_type": "user", "target_id": %q, "reason": "abuse"}`, target))
		if s != http.StatusCreated {
			t.Fatalf("report: %d %v", s, r)
		}
		return r["id"].(string)
	}
	s, resolved := engagementJSON(t, "POST", base+"/v1/admin/reports/"+report(spammer.ID)+"/resolve", mod, `{"action": "suspend", "note": "confirmed"}`)
	if s != http.StatusOK || resolved["state"] != "resolved" || resolved["action"] != "suspend" {
		t.Fatalf("a moderator's suspend: %d %v", s, resolved)
	}
	if _, err := anon.Login(ctx, "spammer@example.org", passwordOf("spammer@example.org")); StatusOf(err) != http.StatusForbidden {
		t.Fatalf("the suspended user signed in: %v", err)
	}
	staff := report(otherMod.ID)
	if s, body := engagementJSON(t, "POST", base+"/v1/admin/reports/"+staff+"/resolve", mod, `{"action": "suspend"}`); s != http.StatusForbidden {
		t.Fatalf("a moderator suspended a moderator: %d %v", s, body)
	}
	if s, body := engagementJSON(t, "POST", base+"/v1/admin/reports/"+staff+"/resolve", root, `{"action": "suspend"}`); s != http.StatusOK {
		t.Fatalf("an administrator's suspend of a moderator: %d %v", s, body)
	}
}

// TestEngagementProgressBeyondLength: once processing has found an item's
// length (a one-page PDF), progress past it is a 400 naming the field.
func TestEngagementProgressBeyondLength(t *testing.T) {
	t.Parallel()
	requireMediaTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d, _, admin, tok := adminOnNewInstance(ctx, t)
	base := d.URL()
	bearer := "Bearer " + tok.AccessToken
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Pamphleteer"})
	must(t, err)
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Pamphlet", Kind: "document", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)
	if a := storageCall(t, http.MethodPut, base+"/v1/media/"+m.ID+"/content", bearer, string(testfiles.PDF("Pamphlet", "One page only", 1)),
		map[string]string{"Content-Type": "application/pdf"}); a.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", a.status, a.body)
	}
	storageWaitSettled(t, ctx, base, bearer, m.ID)
	published := "published"
	_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, "")
	must(t, err)
	now := time.Now().UTC().Format(time.RFC3339)
	var body map[string]any
	within(t, "engagement knows the item's pages", func() bool {
		var s int
		s, body = engagementJSON(t, "PUT", base+"/v1/users/me/progress/"+m.ID, bearer, `{"page": 2, "device": "e-reader", "client_time": "`+now+`"}`)
		return s == http.StatusBadRequest
	})
	errsList, _ := body["errors"].([]any)
	if len(errsList) == 0 || errsList[0].(map[string]any)["field"] != "page" {
		t.Fatalf("beyond the length: %v", body)
	}
	s, body := engagementJSON(t, "PUT", base+"/v1/users/me/progress/"+m.ID, bearer, `{"page": 1, "device": "e-reader", "client_time": "`+now+`"}`)
	if s != 200 || body["state"] != "finished" || body["pages"] != float64(1) {
		t.Fatalf("last page: %d %v", s, body)
	}
}
