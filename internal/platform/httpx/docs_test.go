package httpx

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The docs page and everything it loads come from this origin: no CDN.
func TestDocsAreServedFromTheBinary(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	_ = NewAPI(mux, "test")
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cases := []struct{ path, contentType, has string }{
		{"/docs", "text/html; charset=utf-8", `src="/docs/docs.js"`},
		{"/docs/docs.js", "text/javascript; charset=utf-8", "/openapi.json"},
		{"/docs/docs.css", "text/css; charset=utf-8", "section.op"},
	}
	for _, tc := range cases {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.contentType || !strings.Contains(string(body), tc.has) {
			t.Errorf("%s: %d %q, body has %q: %v", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.has, strings.Contains(string(body), tc.has))
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "http") {
			t.Errorf("%s: CSP %q allows another origin", tc.path, csp)
		}
		if strings.Contains(string(body), "https://") || strings.Contains(string(body), "http://") {
			t.Errorf("%s references another origin", tc.path)
		}
	}
}
