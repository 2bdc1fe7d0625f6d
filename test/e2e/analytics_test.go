package e2e

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/analytics"
)

// The analytics target on the real binary: views and likes through the
// public API move an item up /v1/trending; the author's members read its
// timeseries; the lake holds every event once across a SIGKILL.

func TestAnalyticsTrendingOnTheRealBinary(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dataDir := filepath.Join(t.TempDir(), "data")
	d := single(t, []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + dataDir,
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_FORMAT=json",
		"ALEXANDRIA_ANALYTICS_LAKE_FLUSH_INTERVAL=200ms"})
	anon := client.New(d.URL(), nil)
	tok, err := anon.Login(ctx, adminEmail, adminPassword)
	must(t, err)
	admin := anon.WithToken(tok.AccessToken)
	adminBearer := "Bearer " + tok.AccessToken

	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Trending author"})
	must(t, err)
	published := "published"
	var ids []string
	for _, title := range []string{"Rising", "Steady"} {
		m, err := admin.CreateMedia(ctx, client.MediaInput{Title: title, Kind: "podcast", Language: "en", AuthorIDs: []string{author.ID}})
		must(t, err)
		_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, "")
		must(t, err)
		ids = append(ids, m.ID)
	}
	rising, steady := ids[0], ids[1]
	users := make([]string, 3)
	for i := range users {
		email := fmt.Sprintf("fan%d@example.org", i)
		_, err := anon.Register(ctx, email, passwordOf(email), "Fan")
		must(t, err)
		tk, err := anon.Login(ctx, email, passwordOf(email))
		must(t, err)
		users[i] = "Bearer " + tk.AccessToken
	}
	base := func() string { return d.URL() }
	trending := func(query string) []map[string]any {
		s, body := engagementJSON(t, "GET", base()+"/v1/trending?window=day"+query, "", "")
		if s != http.StatusOK {
			t.Fatalf("trending: %d %v", s, body)
		}
		return listOf(body)
	}

	// One like: the steady item leads.
	within(t, "the item is likeable", func() bool {
		s, _ := engagementJSON(t, "PUT", base()+"/v1/media/"+steady+"/like", users[0], "")
		return s == http.StatusNoContent
	})
	within(t, "the liked item trending", func() bool {
		items := trending("")
		return len(items) == 1 && items[0]["media_id"] == steady
	})

	// Views and likes from three fans move the other item above it.
	for _, u := range users {
		if s, body := engagementJSON(t, "POST", base()+"/v1/media/"+rising+"/views", u, `{"seconds_played": 30}`); s != http.StatusAccepted {
			t.Fatalf("view: %d %v", s, body)
		}
		if s, _ := engagementJSON(t, "PUT", base()+"/v1/media/"+rising+"/like", u, ""); s != http.StatusNoContent {
			t.Fatalf("like: %d", s)
		}
	}
	within(t, "views and likes moving the item up", func() bool {
		items := trending("")
		return len(items) == 2 && items[0]["media_id"] == rising && items[0]["phi"].(float64) > items[1]["phi"].(float64) &&
			items[0]["y"].(float64) == 18 // 3 views × 1 + 3 likes × 5
	})
	if items := trending("&kind=video"); len(items) != 0 {
		t.Fatalf("kind filter: %v", items)
	}
	if s, body := engagementJSON(t, "GET", base()+"/v1/popular?window=week", "", ""); s != 200 || listOf(body)[0]["media_id"] != rising {
		t.Fatalf("popular: %d %v", s, body)
	}
	if s, body := engagementJSON(t, "GET", base()+"/v1/trending?window=fortnight", "", ""); s != http.StatusUnprocessableEntity {
		t.Fatalf("bad window: %d %v", s, body)
	}

	// The author's creator (a member) reads its timeseries; a fan may not.
	from := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	to := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	series := base() + "/v1/authors/" + author.ID + "/stats/timeseries?interval=day&from=" + from + "&to=" + to
	within(t, "the creator's timeseries", func() bool {
		s, body := engagementJSON(t, "GET", series, adminBearer, "")
		if s != http.StatusOK {
			return false
		}
		var views, likes float64
		for _, p := range body["total"].([]any) {
			views += p.(map[string]any)["views"].(float64)
			likes += p.(map[string]any)["likes"].(float64)
		}
		return views == 3 && likes == 4
	})
	if s, _ := engagementJSON(t, "GET", series, users[0], ""); s != http.StatusForbidden {
		t.Fatalf("a fan reads the author's statistics: %d", s)
	}

	// The lake: killed mid-flight, restarted, compacted — every event once.
	lakeDir := filepath.Join(dataDir, "lake")
	within(t, "lake files", func() bool { return len(lakeEvents(t, lakeDir)) > 0 })
	d.p.kill()
	d.Restart(t)
	anon = client.New(d.URL(), nil)
	tok, err = anon.Login(ctx, adminEmail, adminPassword)
	must(t, err)
	adminBearer = "Bearer " + tok.AccessToken
	if s, _ := engagementJSON(t, "DELETE", base()+"/v1/media/"+steady+"/like", users[0], ""); s != http.StatusNoContent {
		t.Fatalf("unlike after restart: %d", s)
	}
	within(t, "the unlike in the lake", func() bool {
		for _, r := range lakeEvents(t, lakeDir) {
			if r.EventType == "engagement.like.deleted.v1" {
				return true
			}
		}
		return false
	})
	s, body := engagementJSON(t, "POST", base()+"/v1/admin/analytics/lake/compact", adminBearer, "")
	if s != http.StatusOK {
		t.Fatalf("compact: %d %v", s, body)
	}
	seen := map[string]int{}
	types := map[string]int{}
	for _, r := range lakeEvents(t, lakeDir) {
		seen[r.EventID]++
		types[r.EventType]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("event %s is %d times in the lake", id, n)
		}
	}
	if types["engagement.like.created.v1"] != 4 || types["catalog.media.published.v1"] < 2 || types["catalog.author.created.v1"] != 1 {
		t.Fatalf("lake event counts: %v", types)
	}
}

// lakeEvents reads every Parquet file under the lake.
func lakeEvents(t *testing.T, dir string) []analytics.LakeRow {
	t.Helper()
	var out []analytics.LakeRow
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err // no lake yet
		}
		if e.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return nil
		}
		rows, err := parquet.ReadFile[analytics.LakeRow](p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, rows...)
		return nil
	})
	return out
}
