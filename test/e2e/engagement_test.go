package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
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
