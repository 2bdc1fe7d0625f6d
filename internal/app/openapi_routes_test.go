package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// notAPI are the routes the all-in-one process serves on purpose outside of
// /openapi.json, each with the reason. Anything else the router serves must
// be in the document, so clients and the gateway generation see it.
var notAPI = []struct{ pattern, why string }{
	// httpx.NewAPI's catch-all: answers 404/405 problem documents for what
	// no route claims; it is not a resource.
	{"/", "catch-all problem answer"},
	// Probes for load balancers and container runtimes (docs/operations.md).
	{"GET /livez", "liveness probe"},
	{"GET /readyz", "readiness probe"},
	// The document itself and the page rendering it.
	{"GET /openapi.json", "the API document"},
	{"GET /openapi.yaml", "the API document"},
	{"GET /openapi-3.0.json", "the API document (3.0 downgrade)"},
	{"GET /openapi-3.0.yaml", "the API document (3.0 downgrade)"},
	{"GET /schemas/", "JSON Schemas the document links to"},
	{"GET /docs", "the API documentation page"},
	{"GET /docs/docs.js", "the API documentation page's script"},
	{"GET /docs/docs.css", "the API documentation page's style"},
	// Token verification plumbing, described in docs/api.md: JWKS is a
	// standard format (RFC 7517), the revocation feed is between services
	// and signed with the deployment's service key.
	{"GET /.well-known/jwks.json", "identity's public keys (docs/api.md)"},
	{"GET /v1/internal/revocations", "revocation feed between services (docs/api.md)"},
	// Syndication and e-reader protocols whose formats are fixed by their
	// own specifications (Atom, JSON Feed, podcast RSS, OPDS, oEmbed,
	// sitemaps, kosync); their routes are listed in docs/api.md "Feeds".
	{"GET /feeds/", "feeds (docs/api.md)"},
	{"GET /opds/", "OPDS catalogs (docs/api.md)"},
	{"GET /oembed", "oEmbed (docs/api.md)"},
	{"GET /sitemap.xml", "sitemap index (docs/api.md)"},
	{"GET /sitemaps/", "sitemaps (docs/api.md)"},
	{"GET /robots.txt", "crawl rules (docs/api.md)"},
	{"/koreader/", "KOReader progress sync, the kosync protocol (docs/api.md)"},
}

// allowance is the notAPI entry covering a served route: an exact match,
// or an entry ending in "/" above it with the same method (or any method
// for an entry without one); "" when none does.
func allowance(method, path string) string {
	for _, a := range notAPI {
		m, p := splitPattern(a.pattern)
		if m != "" && m != method {
			continue
		}
		if p == path || (strings.HasSuffix(p, "/") && p != "/" && strings.HasPrefix(path, p)) {
			return a.pattern
		}
	}
	return ""
}

// The all-in-one process serves nothing that /openapi.json leaves out,
// except the commented notAPI routes; and notAPI names only routes that
// exist, so it cannot keep exemptions for routes long gone.
func TestEveryServedRouteIsInTheOpenAPIDocument(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan string, 1)
	routed := make(chan *http.ServeMux, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, testConfig(t), "all", Options{Version: "test", Stdout: io.Discard, Stderr: io.Discard,
			Started: func(u string) { started <- u }, routed: func(m *http.ServeMux) { routed <- m }})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("did not stop")
		}
	})
	var base string
	select {
	case base = <-started:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(60 * time.Second):
		t.Fatal("did not start")
	}
	patterns := registeredPatterns(t, <-routed)

	resp, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{} // "METHOD /path/{}" with wildcards unnamed
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+anonymous(path)] = true
		}
	}

	var missing []string
	usedAllowance := map[string]bool{}
	for _, pat := range patterns {
		method, path := splitPattern(pat)
		if a := allowance(method, path); a != "" {
			usedAllowance[a] = true
			continue
		}
		if !isDocumented(documented, method, anonymous(path)) {
			missing = append(missing, pat)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("served but missing from /openapi.json (describe them, or add a justified notAPI entry):\n  %s", strings.Join(missing, "\n  "))
	}
	for _, a := range notAPI {
		if !usedAllowance[a.pattern] {
			t.Errorf("notAPI allows %q, which the process no longer serves: remove it", a.pattern)
		}
	}
}

// isDocumented reports whether the document has the route: a route without
// a method must have at least one documented method on its path, and a
// subtree route ("/x/") one documented path beneath it.
func isDocumented(documented map[string]bool, method, path string) bool {
	if method != "" && !strings.HasSuffix(path, "/") {
		return documented[method+" "+path]
	}
	for k := range documented {
		m, p := splitPattern(k)
		if method != "" && m != method {
			continue
		}
		if p == path || (strings.HasSuffix(path, "/") && strings.HasPrefix(p, path)) {
			return true
		}
	}
	return false
}

func splitPattern(pattern string) (method, path string) {
	if m, p, ok := strings.Cut(pattern, " "); ok {
		return m, strings.TrimSpace(p)
	}
	return "", pattern
}

var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// anonymous drops wildcard names: {id} and {mediaID} are the same route.
func anonymous(path string) string { return wildcard.ReplaceAllString(path, "{}") }

// registeredPatterns lists the patterns registered on mux. net/http offers
// no way to enumerate them, so this reads the mux's routing index by
// reflection (read-only). If a Go release renames those fields the test
// fails here, saying so, rather than passing with nothing to compare.
func registeredPatterns(t *testing.T, mux *http.ServeMux) []string {
	t.Helper()
	idx := reflect.ValueOf(mux).Elem().FieldByName("index")
	if !idx.IsValid() {
		t.Fatal("http.ServeMux has no routing index in this Go release: update registeredPatterns")
	}
	seen := map[string]bool{}
	add := func(p reflect.Value) {
		str := p.Elem().FieldByName("str")
		if !str.IsValid() || str.Kind() != reflect.String {
			t.Fatal("http.ServeMux patterns have no str field in this Go release: update registeredPatterns")
		}
		seen[str.String()] = true
	}
	segments, multis := idx.FieldByName("segments"), idx.FieldByName("multis")
	if segments.Kind() != reflect.Map || multis.Kind() != reflect.Slice {
		t.Fatal("http.ServeMux's routing index changed in this Go release: update registeredPatterns")
	}
	for it := segments.MapRange(); it.Next(); {
		for i := range it.Value().Len() {
			add(it.Value().Index(i))
		}
	}
	for i := range multis.Len() {
		add(multis.Index(i))
	}
	// A sanity floor: routes registered by the shell, huma and a target.
	for _, must := range []string{"GET /livez", "GET /docs", "/", "GET /v1/media/{id}/content"} {
		if !seen[must] {
			t.Fatalf("reading the mux's routes found no %q (found %d): update registeredPatterns", must, len(seen))
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
