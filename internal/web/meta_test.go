package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

const (
	videoID  = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	draftID  = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c"
	authorID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d"
)

// catalogServer is the router with a fake catalog's public media and author
// routes, as in all mode.
func catalogServer(t *testing.T) *httptest.Server {
	t.Helper()
	return catalogServerWith(t, builtApp())
}

// catalogServerWith is catalogServer with the app files fsys.
func catalogServerWith(t *testing.T, fsys fstest.MapFS) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	_ = httpx.NewAPI(mux, "test")
	mux.HandleFunc("GET /v1/media/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.PathValue("id") {
		case videoID:
			_, _ = w.Write([]byte(`{"id":"` + videoID + `","title":"A </script><script>alert(1)</script> \"clip\"","description":"<b>bold</b> & more",
				"kind":"video","language":"en-GB","author_ids":["` + authorID + `"],"license":"CC-BY-4.0","status":"published",
				"published_at":"2026-11-01T10:00:00Z","content":{"size":1234,"content_type":"video/webm","duration_seconds":61.6,"width":1280,"height":720},
				"derivatives":[{"kind":"thumbnail","name":"thumbnail.jpg","content_type":"image/jpeg"}]}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
	mux.HandleFunc("GET /v1/authors/{id}", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"id":"` + authorID + `","name":"Ada <Lovelace>"}`))
	})
	svc, err := NewFrom(fsys, module.Deps{Mux: mux})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpx.RecordRoute(svc.Front(mux)))
	t.Cleanup(srv.Close)
	return srv
}

func TestItemPagesCarryTheirMetaTags(t *testing.T) {
	t.Parallel()
	srv := catalogServer(t)
	res, body := get(t, srv, http.MethodGet, "/media/"+videoID, nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("item page: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	head := body[:strings.Index(body, "</head>")]
	for _, want := range []string{
		`<meta property="og:type" content="video.other">`,
		`<meta property="og:url" content="` + srv.URL + `/media/` + videoID + `">`,
		`<meta property="og:image" content="` + srv.URL + `/v1/media/` + videoID + `/derivatives/thumbnail.jpg">`,
		`<meta property="og:video" content="` + srv.URL + `/v1/media/` + videoID + `/content">`,
		`<meta property="og:video:type" content="video/webm">`,
		`<meta name="twitter:card" content="summary_large_image">`,
		`<meta property="og:description" content="&lt;b&gt;bold&lt;/b&gt; &amp; more">`,
		`type="application/json+oembed"`,
	} {
		if !strings.Contains(head, want) {
			t.Errorf("head lacks %s\n%s", want, head)
		}
	}
	// Nothing from the item can close a tag or the JSON-LD script.
	if strings.Count(head, "<script") != 2 || strings.Count(strings.ToLower(head), "</script>") != 2 {
		t.Fatalf("the title escaped its tag:\n%s", head)
	}
	m := regexp.MustCompile(`<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(head)
	if m == nil {
		t.Fatal("no JSON-LD")
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatal(err)
	}
	if ld["@type"] != "VideoObject" || ld["duration"] != "PT62S" || ld["contentUrl"] != srv.URL+"/v1/media/"+videoID+"/content" ||
		ld["author"].([]any)[0].(map[string]any)["name"] != "Ada <Lovelace>" || ld["uploadDate"] != "2026-11-01T10:00:00Z" {
		t.Fatalf("JSON-LD %v", ld)
	}
	if res.Header.Get("Content-Security-Policy") != AppCSP {
		t.Fatal("the page lost its CSP")
	}
	// An item catalog does not show anonymously, and other pages: the shell.
	for _, p := range []string{"/media/" + draftID, "/media/not-an-id", "/browse"} {
		_, body := get(t, srv, http.MethodGet, p, nil)
		if strings.Contains(body, "og:") {
			t.Errorf("%s carries item tags", p)
		}
	}
}

// A binary built without the app still gives item pages their tags, on the
// placeholder page, so link previews do not depend on the build.
func TestItemPagesCarryTheirMetaTagsWithoutTheApp(t *testing.T) {
	t.Parallel()
	srv := catalogServerWith(t, fstest.MapFS{"PLACEHOLDER.md": {Data: []byte("placeholder")}})
	res, body := get(t, srv, http.MethodGet, "/media/"+videoID, nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "built without the web app") {
		t.Fatalf("item page: %d %s", res.StatusCode, body)
	}
	head := body[:strings.Index(body, "</head>")]
	for _, want := range []string{`<meta property="og:type" content="video.other">`, `<meta name="twitter:card" content="summary_large_image">`,
		`<script type="application/ld+json">`} {
		if !strings.Contains(head, want) {
			t.Errorf("head lacks %s\n%s", want, head)
		}
	}
	if res.Header.Get("Content-Security-Policy") != placeholderCSP {
		t.Fatal("the placeholder lost its CSP")
	}
	if _, body := get(t, srv, http.MethodGet, "/media/"+draftID, nil); strings.Contains(body, "og:") {
		t.Error("a draft's page carries item tags")
	}
}
