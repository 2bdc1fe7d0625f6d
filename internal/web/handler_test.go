package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

var bigJS = strings.Repeat("console.log('alexandria');\n", 200)

func builtApp() fstest.MapFS {
	return fstest.MapFS{
		"index.html":                {Data: []byte(`<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>`)},
		"assets/index-abc123.js":    {Data: []byte(bigJS)},
		"assets/index-abc123.js.br": {Data: []byte("pretend-brotli")},
		"assets/style-def456.css":   {Data: []byte("body{color:red}")},
		"sw.js":                     {Data: []byte("self.addEventListener('fetch', () => {})")},
		"manifest.webmanifest":      {Data: []byte(`{"name":"Alexandria"}`)},
		"PLACEHOLDER.md":            {Data: []byte("placeholder")},
	}
}

// server is the process's router as app.Run builds it: the huma API's
// catch-all 404, one API route, one operations route, and the web target in
// front.
func server(t *testing.T, fsys fstest.MapFS) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	_ = httpx.NewAPI(mux, "test")
	mux.HandleFunc("GET /v1/things", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"items":[]}`))
	})
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/v1/uploads/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	svc, err := NewFrom(fsys, module.Deps{Mux: mux})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpx.RecordRoute(svc.Front(mux)))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, method, path string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Go's transport adds gzip and decodes it silently unless we set it.
	req.Header.Set("Accept-Encoding", "identity")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestServesTheApp(t *testing.T) {
	t.Parallel()
	srv := server(t, builtApp())
	cases := []struct {
		name, method, path string
		header             map[string]string
		status             int
		contentType        string
		cacheControl       string
		bodyHas            string
		csp                bool
	}{
		{"root_is_the_shell", "GET", "/", nil, 200, "text/html; charset=utf-8", "no-cache", `<div id="root">`, true},
		{"app_route_falls_back_to_the_shell", "GET", "/media/01J0000000000000000000000", nil, 200, "text/html; charset=utf-8", "no-cache", `<div id="root">`, true},
		{"deep_app_route_falls_back_to_the_shell", "GET", "/authors/abc/members", nil, 200, "text/html; charset=utf-8", "no-cache", `<div id="root">`, true},
		{"head_of_an_app_route", "HEAD", "/browse", nil, 200, "text/html; charset=utf-8", "no-cache", "", true},
		{"hashed_asset_is_immutable", "GET", "/assets/style-def456.css", nil, 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", "color:red", false},
		{"service_worker_revalidates", "GET", "/sw.js", nil, 200, "text/javascript; charset=utf-8", "no-cache", "addEventListener", false},
		{"manifest_has_its_type", "GET", "/manifest.webmanifest", nil, 200, "application/manifest+json", "no-cache", "Alexandria", false},
		{"missing_asset_is_404_not_the_shell", "GET", "/assets/gone-000.js", nil, 404, "text/plain; charset=utf-8", "no-cache", "not found", false},
		{"missing_file_is_404_not_the_shell", "GET", "/favicon.ico", nil, 404, "text/plain; charset=utf-8", "no-cache", "not found", false},
		{"placeholder_file_is_not_served", "GET", "/PLACEHOLDER.md", nil, 404, "text/plain; charset=utf-8", "no-cache", "not found", false},
		{"api_route_is_the_api", "GET", "/v1/things", nil, 200, "application/json", "", `{"items":[]}`, false},
		{"unknown_api_path_keeps_its_json_404", "GET", "/v1/nothing-here", nil, 404, "application/problem+json", "", "urn:alexandria:problem:not-found", false},
		{"unknown_api_root_keeps_its_json_404", "GET", "/v1", nil, 404, "application/problem+json", "", "not-found", false},
		{"feeds_are_not_swallowed", "GET", "/feeds/podcast/x.xml", nil, 404, "application/problem+json", "", "not-found", false},
		{"opds_is_not_swallowed", "GET", "/opds/root.xml", nil, 404, "application/problem+json", "", "not-found", false},
		{"well_known_is_not_swallowed", "GET", "/.well-known/nothing", nil, 404, "application/problem+json", "", "not-found", false},
		{"metrics_path_is_not_swallowed", "GET", "/metrics", nil, 404, "application/problem+json", "", "not-found", false},
		{"openapi_prefix_is_not_swallowed", "GET", "/openapi.txt", nil, 404, "application/problem+json", "", "not-found", false},
		{"ops_route_is_served", "GET", "/livez", nil, 200, "text/plain; charset=utf-8", "", "ok", false},
		{"post_to_an_app_path_is_the_api_404", "POST", "/media/1", nil, 404, "application/problem+json", "", "not-found", false},
		{"tus_route_without_method_keeps_working", "GET", "/v1/uploads/abc", nil, 204, "", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := get(t, srv, tc.method, tc.path, tc.header)
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d (body %q)", resp.StatusCode, tc.status, body)
			}
			if got := resp.Header.Get("Content-Type"); tc.contentType != "" && got != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tc.contentType)
			}
			if got := resp.Header.Get("Cache-Control"); tc.cacheControl != "" && got != tc.cacheControl {
				t.Errorf("Cache-Control = %q, want %q", got, tc.cacheControl)
			}
			if !strings.Contains(body, tc.bodyHas) {
				t.Errorf("body %q does not contain %q", body, tc.bodyHas)
			}
			if got := resp.Header.Get("Content-Security-Policy"); tc.csp != (got != "") {
				t.Errorf("Content-Security-Policy = %q, want it set: %v", got, tc.csp)
			}
			if tc.csp {
				if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'self'") ||
					!strings.Contains(got, "script-src 'self';") || strings.Contains(got, "http") {
					t.Errorf("CSP %q is not strict", got)
				}
				if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
					t.Errorf("missing nosniff or Referrer-Policy: %v", resp.Header)
				}
			}
		})
	}
}

func TestCompressesAssets(t *testing.T) {
	t.Parallel()
	srv := server(t, builtApp())
	t.Run("gzip_when_accepted", func(t *testing.T) {
		resp, body := get(t, srv, "GET", "/assets/index-abc123.js", map[string]string{"Accept-Encoding": "gzip"})
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("headers %v", resp.Header)
		}
		zr, err := gzip.NewReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if string(plain) != bigJS {
			t.Errorf("gzip body does not decode to the file")
		}
	})
	t.Run("brotli_from_the_build_preferred", func(t *testing.T) {
		resp, body := get(t, srv, "GET", "/assets/index-abc123.js", map[string]string{"Accept-Encoding": "gzip, deflate, br"})
		if resp.Header.Get("Content-Encoding") != "br" || body != "pretend-brotli" {
			t.Fatalf("encoding %q body %q", resp.Header.Get("Content-Encoding"), body)
		}
	})
	t.Run("identity_when_not_accepted", func(t *testing.T) {
		resp, body := get(t, srv, "GET", "/assets/index-abc123.js", map[string]string{"Accept-Encoding": "br;q=0, gzip;q=0"})
		if resp.Header.Get("Content-Encoding") != "" || body != bigJS {
			t.Fatalf("encoding %q", resp.Header.Get("Content-Encoding"))
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Vary missing on the identity variant")
		}
	})
	t.Run("etag_revalidates", func(t *testing.T) {
		resp, _ := get(t, srv, "GET", "/assets/index-abc123.js", map[string]string{"Accept-Encoding": "gzip"})
		etag := resp.Header.Get("ETag")
		again, _ := get(t, srv, "GET", "/assets/index-abc123.js", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag})
		if etag == "" || again.StatusCode != http.StatusNotModified {
			t.Fatalf("etag %q then status %d", etag, again.StatusCode)
		}
		plain, _ := get(t, srv, "GET", "/assets/index-abc123.js", nil)
		if plain.Header.Get("ETag") == etag {
			t.Errorf("gzip and identity variants share the ETag %s", etag)
		}
	})
}

func TestPlaceholderWithoutABuild(t *testing.T) {
	t.Parallel()
	srv := server(t, fstest.MapFS{"PLACEHOLDER.md": {Data: []byte("placeholder")}})
	for _, p := range []string{"/", "/media/123"} {
		resp, body := get(t, srv, "GET", p, nil)
		if resp.StatusCode != 200 || !strings.Contains(body, "make web") || !strings.Contains(body, "make run") {
			t.Errorf("%s: status %d body %q", p, resp.StatusCode, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q", p, csp)
		}
	}
	resp, body := get(t, srv, "GET", "/v1/nothing", nil)
	if resp.StatusCode != 404 || !strings.Contains(body, "not-found") {
		t.Errorf("/v1/nothing: %d %q", resp.StatusCode, body)
	}
}

// The embedded folder always loads: a fresh checkout has the placeholder,
// a built one has index.html and hashed assets with their types.
func TestEmbeddedDistLoads(t *testing.T) {
	t.Parallel()
	h, err := NewHandler(Dist())
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range h.files {
		if f.contentType == "application/octet-stream" && !strings.HasSuffix(name, ".bcmap") && !strings.HasSuffix(name, ".pfb") {
			t.Errorf("%s has no content type", name)
		}
		if strings.HasSuffix(name, ".html") && !bytes.Contains(f.body, []byte("<")) {
			t.Errorf("%s is not HTML", name)
		}
	}
	if h.Built() {
		if bytes.Contains(h.index.body, []byte("<script>")) {
			t.Errorf("index.html has an inline script, which the CSP blocks")
		}
	}
}

func TestPickEncoding(t *testing.T) {
	t.Parallel()
	cases := []struct {
		header string
		br, gz bool
		want   string
	}{
		{"", true, true, ""},
		{"gzip", true, true, "gzip"},
		{"br, gzip", true, true, "br"},
		{"br, gzip", false, true, "gzip"},
		{"gzip;q=0.5, br;q=0.4", true, true, "gzip"},
		{"*", true, true, "br"},
		{"*, br;q=0", true, true, "gzip"},
		{"identity", true, true, ""},
	}
	for _, tc := range cases {
		if got := pickEncoding(tc.header, tc.br, tc.gz); got != tc.want {
			t.Errorf("pickEncoding(%q, %v, %v) = %q, want %q", tc.header, tc.br, tc.gz, got, tc.want)
		}
	}
}
