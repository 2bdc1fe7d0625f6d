package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
)

// TestFeedsOnTheBinary publishes a podcast episode, a video and a document
// on the real binary and reads them as podcast apps, e-readers and link
// previews do: the episode is in its author's podcast feed with a playable
// enclosure; an edit keeps its guid; a removal takes it out and no stale
// 304 is answered; OPDS navigation leads to the document's download; the
// video has an oEmbed player.
func TestFeedsOnTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("media pipeline: skipped with -short")
	}
	t.Parallel()
	requireMediaTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d, _, admin, tok := adminOnNewInstance(ctx, t)
	base := d.URL()
	bearer := "Bearer " + tok.AccessToken
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Feed Host"})
	must(t, err)

	publish := func(kind, title string, file []byte) string {
		t.Helper()
		m, err := admin.CreateMedia(ctx, client.MediaInput{Title: title, Kind: kind, Language: "en", AuthorIDs: []string{author.ID}})
		must(t, err)
		put := tusRequest(t, http.MethodPut, base+"/v1/media/"+m.ID+"/content", map[string]string{"Authorization": bearer,
			"Content-Type": "application/octet-stream"}, file)
		if put.StatusCode/100 != 2 {
			t.Fatalf("upload %s: %d %s", title, put.StatusCode, readAll(put))
		}
		waitUntil(t, 90*time.Second, func() bool {
			item := getJSON(t, base+"/v1/media/"+m.ID, bearer)
			if item["status"] == "failed" {
				t.Fatalf("%s failed: %v", title, item["status_reason"])
			}
			return item["status"] == "draft" && item["content"] != nil
		})
		cur, err := admin.GetMedia(ctx, m.ID)
		must(t, err)
		published := "published"
		_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, cur.ETag)
		must(t, err)
		return m.ID
	}

	// A podcast episode: in the feed, with an enclosure a player can fetch
	// in ranges, of the type and length the feed announces.
	episode := publish("podcast", "Episode one", ffmpegFile(t, "mp3", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
		"-c:a", "libmp3lame", "-b:a", "32k"))
	feedURL := base + "/feeds/authors/" + author.ID + "/podcast.xml"
	var feed *gofeed.Feed
	waitUntil(t, 30*time.Second, func() bool {
		feed = parseFeed(t, do(t, http.MethodGet, feedURL, "", "").body)
		return len(feed.Items) == 1
	})
	it := feed.Items[0]
	if it.GUID != "urn:uuid:"+episode || len(it.Enclosures) != 1 || it.ITunesExt == nil || it.ITunesExt.Duration == "" {
		t.Fatalf("episode in the feed: %+v", it)
	}
	enc := it.Enclosures[0]
	r := tusRequest(t, http.MethodGet, enc.URL, map[string]string{"Range": "bytes=0-99"}, nil)
	body := readAll(r)
	if r.StatusCode != http.StatusPartialContent || len(body) != 100 || r.Header.Get("Content-Type") != enc.Type ||
		!strings.HasSuffix(r.Header.Get("Content-Range"), "/"+enc.Length) {
		t.Fatalf("enclosure %s (%s, %s bytes): %d %s %s", enc.URL, enc.Type, enc.Length, r.StatusCode,
			r.Header.Get("Content-Type"), r.Header.Get("Content-Range"))
	}

	// Edit: the title changes, the guid stays.
	cur, err := admin.GetMedia(ctx, episode)
	must(t, err)
	revised := "Episode one, revised"
	_, err = admin.UpdateMedia(ctx, episode, client.MediaPatch{Title: &revised}, cur.ETag)
	must(t, err)
	var etag string
	waitUntil(t, 30*time.Second, func() bool {
		a := do(t, http.MethodGet, feedURL, "", "")
		feed, etag = parseFeed(t, a.body), a.header.Get("ETag")
		return len(feed.Items) == 1 && feed.Items[0].Title == revised
	})
	if feed.Items[0].GUID != "urn:uuid:"+episode {
		t.Fatalf("guid after an edit: %s", feed.Items[0].GUID)
	}
	if a := doHeaders(t, feedURL, map[string]string{"If-None-Match": etag}); a.status != http.StatusNotModified {
		t.Fatalf("unchanged feed: %d", a.status)
	}

	// A private feed: a subscriber's token in the URL is the credential
	// (podcast apps send no Authorization); the same episodes, the same
	// playable enclosures, and the secret never in the access log.
	pt := doAuth(t, http.MethodPost, base+"/v1/feeds/tokens", "application/json", `{"name":"podcast app"}`, bearer)
	if pt.status != http.StatusCreated {
		t.Fatalf("create feed token: %d %s", pt.status, pt.body)
	}
	var feedToken struct {
		ID       string            `json:"id"`
		Token    string            `json:"token"`
		FeedURLs map[string]string `json:"feed_urls"`
	}
	must(t, json.Unmarshal([]byte(pt.body), &feedToken))
	privateURL := strings.ReplaceAll(feedToken.FeedURLs["author_podcast"], "{id}", author.ID)
	if privateURL != base+"/feeds/private/"+feedToken.Token+"/authors/"+author.ID+"/podcast.xml" {
		t.Fatalf("private feed URL %s", privateURL)
	}
	priv := do(t, http.MethodGet, privateURL, "", "")
	if pf := parseFeed(t, priv.body); priv.status != http.StatusOK || len(pf.Items) != 1 || pf.Items[0].GUID != "urn:uuid:"+episode ||
		len(pf.Items[0].Enclosures) != 1 || pf.Items[0].Enclosures[0].URL != enc.URL {
		t.Fatalf("private feed: %d %s", priv.status, priv.body)
	}
	if r := tusRequest(t, http.MethodGet, enc.URL, map[string]string{"Range": "bytes=0-9"}, nil); r.StatusCode != http.StatusPartialContent {
		t.Fatalf("private feed's enclosure, anonymously: %d", r.StatusCode)
	}
	waitUntil(t, 10*time.Second, func() bool { return strings.Contains(d.p.Log(), `"path":"/feeds/private/…"`) })
	if strings.Contains(d.p.Log(), feedToken.Token) {
		t.Fatal("the private feed's secret is in the log")
	}
	if l := doAuth(t, http.MethodGet, base+"/v1/feeds/tokens", "", "", bearer); l.status != http.StatusOK ||
		!strings.Contains(l.body, feedToken.ID) || strings.Contains(l.body, feedToken.Token) {
		t.Fatalf("list feed tokens: %d %s", l.status, l.body)
	}

	// Remove: gone, and the old ETag is not confirmed.
	must(t, admin.DeleteMedia(ctx, episode))
	waitUntil(t, 30*time.Second, func() bool {
		a := doHeaders(t, feedURL, map[string]string{"If-None-Match": etag})
		if a.status == http.StatusNotModified {
			return false
		}
		return len(parseFeed(t, a.body).Items) == 0
	})
	if a := doHeaders(t, feedURL, map[string]string{"If-None-Match": etag}); a.status != http.StatusOK {
		t.Fatalf("stale ETag after removal: %d", a.status)
	}

	// OPDS: root → New → the document's acquisition link → its bytes.
	pdf := testfiles.PDF("Feeds paper", "read on an e-reader", 1)
	doc := publish("document", "Feeds paper", pdf)
	root := do(t, http.MethodGet, base+"/opds/v1.2/catalog", "", "")
	newHref := entryLink(t, root.body, "New", "subsection")
	var acq string
	waitUntil(t, 30*time.Second, func() bool {
		acq = entryLink(t, do(t, http.MethodGet, newHref, "", "").body, "Feeds paper", "http://opds-spec.org/acquisition/open-access")
		return acq != ""
	})
	if acq != base+"/v1/media/"+doc+"/content" {
		t.Fatalf("acquisition link %s", acq)
	}
	// Popular asks analytics (this process): nothing is ranked on a new
	// instance, or only this paper, so it lists the paper either way.
	popularHref := entryLink(t, root.body, "Popular", "subsection")
	if pop := do(t, http.MethodGet, popularHref, "", ""); pop.status != http.StatusOK ||
		entryLink(t, pop.body, "Feeds paper", "http://opds-spec.org/acquisition/open-access") != acq {
		t.Fatalf("popular: %d %s", pop.status, pop.body)
	}
	dl := tusRequest(t, http.MethodGet, acq, nil, nil)
	if got := readAll(dl); dl.StatusCode != http.StatusOK || !bytes.Equal([]byte(got), pdf) || dl.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download: %d %s (%d bytes)", dl.StatusCode, dl.Header.Get("Content-Type"), len(got))
	}
	// With an API token over HTTP Basic, as e-reader apps send it: a
	// feeds:read token reads, a wrong one is 401, one without the scope 403.
	apiToken := func(scopes string) string {
		t.Helper()
		a := doAuth(t, http.MethodPost, base+"/v1/users/me/tokens", "application/json", `{"name":"e-reader","scopes":`+scopes+`}`, bearer)
		if a.status != http.StatusCreated {
			t.Fatalf("create API token %s: %d %s", scopes, a.status, a.body)
		}
		var created struct {
			Token string `json:"token"`
		}
		must(t, json.Unmarshal([]byte(a.body), &created))
		return created.Token
	}
	basic := func(token string) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/opds/v2/catalog", nil)
		req.SetBasicAuth(adminEmail, token)
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	reader := apiToken(`["feeds:read"]`)
	if st := basic(reader); st != http.StatusOK {
		t.Fatalf("OPDS with e-mail and a feeds:read API token: %d", st)
	}
	if st := basic(reader[:len(reader)-2] + "xx"); st != http.StatusUnauthorized {
		t.Fatalf("OPDS with a wrong API token: %d", st)
	}
	if st := basic(apiToken(`["read"]`)); st != http.StatusForbidden {
		t.Fatalf("OPDS with an API token without feeds:read: %d", st)
	}

	// KOReader: the document is fingerprinted as KOReader does; a device
	// linked with a read-write API token signs in, saves its position, reads
	// it back, and the position is the account's progress (engagement), so
	// the browser resumes there.
	rw := doAuth(t, http.MethodPost, base+"/v1/users/me/tokens", "application/json", `{"name":"kobo","scopes":["read","write"]}`, bearer)
	if rw.status != http.StatusCreated {
		t.Fatalf("create API token: %d %s", rw.status, rw.body)
	}
	var device struct {
		Token string `json:"token"`
	}
	must(t, json.Unmarshal([]byte(rw.body), &device))
	link, _ := http.NewRequestWithContext(ctx, http.MethodPut, base+"/koreader/link", nil)
	link.SetBasicAuth(adminEmail, device.Token)
	linked, err := http.DefaultClient.Do(link)
	must(t, err)
	if linked.StatusCode != http.StatusOK {
		t.Fatalf("link KOReader: %d %s", linked.StatusCode, readAll(linked))
	}
	_ = linked.Body.Close()
	key := fmt.Sprintf("%x", md5.Sum([]byte(device.Token)))
	kh := map[string]string{"x-auth-user": adminEmail, "x-auth-key": key}
	if a := doHeaders(t, base+"/koreader/users/auth", kh); a.status != http.StatusOK {
		t.Fatalf("KOReader auth: %d %s", a.status, a.body)
	}
	fp := koreaderFingerprint(pdf)
	waitUntil(t, 30*time.Second, func() bool {
		return doHeaders(t, base+"/koreader/syncs/progress/"+fp, kh).status != http.StatusNotFound
	})
	put, _ := http.NewRequestWithContext(ctx, http.MethodPut, base+"/koreader/syncs/progress",
		strings.NewReader(`{"document":"`+fp+`","progress":"1","percentage":1,"device":"Kobo","device_id":"k1"}`))
	put.Header.Set("Content-Type", "application/json")
	for k, v := range kh {
		put.Header.Set(k, v)
	}
	waitUntil(t, 30*time.Second, func() bool { // engagement learns the item from catalog's events
		res, err := http.DefaultClient.Do(put.Clone(ctx))
		must(t, err)
		defer func() { _ = res.Body.Close() }()
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNotFound {
			t.Fatalf("KOReader progress PUT: %d %s", res.StatusCode, readAll(res))
		}
		return res.StatusCode == http.StatusOK
	})
	var synced struct {
		Document   string  `json:"document"`
		Progress   string  `json:"progress"`
		Percentage float64 `json:"percentage"`
	}
	got := doHeaders(t, base+"/koreader/syncs/progress/"+fp, kh)
	must(t, json.Unmarshal([]byte(got.body), &synced))
	if got.status != http.StatusOK || synced.Document != fp || synced.Progress != "1" || synced.Percentage != 1 {
		t.Fatalf("KOReader progress GET: %d %s", got.status, got.body)
	}
	if p := doAuth(t, http.MethodGet, base+"/v1/users/me/progress?state=finished", "", "", bearer); p.status != http.StatusOK || !strings.Contains(p.body, doc) {
		t.Fatalf("the KOReader position is not the account's progress: %d %s", p.status, p.body)
	}

	// oEmbed for a video page.
	video := publish("video", "A clip", ffmpegFile(t, "webm", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2",
		"-c:v", "libvpx", "-b:v", "100k", "-deadline", "realtime"))
	var o map[string]any
	waitUntil(t, 30*time.Second, func() bool {
		a := do(t, http.MethodGet, base+"/oembed?"+url.Values{"url": {base + "/media/" + video}}.Encode(), "", "")
		return a.status == http.StatusOK && json.Unmarshal([]byte(a.body), &o) == nil
	})
	if o["type"] != "video" || o["title"] != "A clip" || !strings.Contains(o["html"].(string), "/v1/media/"+video+"/content") {
		t.Fatalf("oEmbed %v", o)
	}

	// The video's page carries Open Graph, a Twitter card and schema.org
	// JSON-LD in its head, with or without the web app built in.
	page := do(t, http.MethodGet, base+"/media/"+video, "", "")
	head, _, _ := strings.Cut(page.body, "</head>")
	for _, want := range []string{`<meta property="og:title" content="A clip">`, `<meta property="og:type" content="video.other">`,
		`<meta name="twitter:card" content=`} {
		if !strings.Contains(head, want) {
			t.Fatalf("the video's page lacks %s: %d\n%s", want, page.status, head)
		}
	}
	ld := regexp.MustCompile(`<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(head)
	if ld == nil {
		t.Fatalf("the video's page has no JSON-LD:\n%s", head)
	}
	var schema map[string]any
	must(t, json.Unmarshal([]byte(ld[1]), &schema))
	if schema["@type"] != "VideoObject" || schema["name"] != "A clip" {
		t.Fatalf("JSON-LD %v", schema)
	}

	// Revoked, the private feed is gone at once, conditional requests too.
	if a := doAuth(t, http.MethodDelete, base+"/v1/feeds/tokens/"+feedToken.ID, "", "", bearer); a.status != http.StatusNoContent {
		t.Fatalf("revoke feed token: %d %s", a.status, a.body)
	}
	if a := doHeaders(t, privateURL, map[string]string{"If-None-Match": priv.header.Get("ETag")}); a.status != http.StatusNotFound {
		t.Fatalf("revoked private feed: %d", a.status)
	}
}

func waitUntil(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func parseFeed(t *testing.T, body string) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("feed: %v\n%s", err, body)
	}
	return f
}

func doHeaders(t *testing.T, u string, h map[string]string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	must(t, err)
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: b.String()}
}

// entryLink is the href of the link with rel of the Atom entry titled title.
func entryLink(t *testing.T, body, title, rel string) string {
	t.Helper()
	var f struct {
		Entries []struct {
			Title string `xml:"title"`
			Links []struct {
				Rel  string `xml:"rel,attr"`
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("OPDS feed: %v\n%s", err, body)
	}
	for _, e := range f.Entries {
		if e.Title != title {
			continue
		}
		for _, l := range e.Links {
			if l.Rel == rel {
				return l.Href
			}
		}
	}
	return ""
}

// koreaderFingerprint is KOReader's partial MD5 of a file.
func koreaderFingerprint(b []byte) string {
	h := md5.New()
	for _, off := range []int{0, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304} {
		if off >= len(b) {
			break
		}
		h.Write(b[off:min(off+1024, len(b))])
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// ffmpegFile makes a small synthetic media file.
func ffmpegFile(t *testing.T, ext string, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "f."+ext)
	cmd := exec.Command("ffmpeg", append(append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, b)
	}
	b, err := os.ReadFile(out)
	must(t, err)
	return b
}
