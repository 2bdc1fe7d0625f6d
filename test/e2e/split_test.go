package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
)

// gatewayTemplate is the nginx configuration Compose uses too.
const gatewayTemplate = "../../deploy/nginx/alexandria.conf.template"

// splitDeployment runs each target as its own process on PostgreSQL and
// NATS, behind nginx configured from the gateway template.
type splitDeployment struct {
	gateway string
	procs   map[string]*process
	envs    map[string][]string
	ports   map[string]int // each target's public port
	nats    *natsServer
}

// splitTargets is the start order of the split deployment.
var splitTargets = []string{"identity", "catalog", "storage", "processing", "search", "feeds", "engagement", "analytics", "notify", "web"}

// apiTargets are the split targets that document API operations (web
// serves the app at the paths they leave).
var apiTargets = []string{"identity", "catalog", "storage", "processing", "search", "feeds", "engagement", "analytics", "notify"}

func (s *splitDeployment) start(t *testing.T, target string) {
	s.procs[target] = start(t, s.envs[target], "-target="+target)
}

func (s *splitDeployment) URL() string { return s.gateway }

func (s *splitDeployment) Restart(t *testing.T) {
	for i := len(splitTargets) - 1; i >= 0; i-- {
		s.procs[splitTargets[i]].stop()
	}
	for _, target := range splitTargets {
		s.start(t, target)
	}
}

// startSplitDeployment runs every target in its own process on a fresh
// PostgreSQL database and a private NATS JetStream server (its own streams,
// so tests do not meet), behind nginx rendered from the gateway template.
// extra is added to every process's environment. It skips when PostgreSQL,
// nats-server or nginx is absent.
func startSplitDeployment(t *testing.T, extra ...string) *splitDeployment {
	t.Helper()
	nginx := requireNginx(t)
	dbURL := freshPostgresDatabase(t)
	nats := startNATS(t)
	ports := map[string]int{}
	for _, target := range splitTargets {
		ports[target] = freeTCPPort(t)
	}
	gwPort := freeTCPPort(t)
	// storage and processing share the object store (here a directory).
	common := []string{
		"ALEXANDRIA_DATABASE_URL=" + dbURL, "ALEXANDRIA_BUS_URL=" + nats.url,
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword,
		"ALEXANDRIA_LOG_FORMAT=json", "ALEXANDRIA_HTTP_TRUST_FORWARDED_FOR=true",
		"ALEXANDRIA_BLOB_URL=file://" + filepath.Join(t.TempDir(), "blobs") + "?create_dir=true",
		fmt.Sprintf("ALEXANDRIA_IDENTITY_URL=http://127.0.0.1:%d", ports["identity"]),
		fmt.Sprintf("ALEXANDRIA_STORAGE_CATALOG_URL=http://127.0.0.1:%d", ports["catalog"]),
		fmt.Sprintf("ALEXANDRIA_FEEDS_CONTENT_URL=http://127.0.0.1:%d", ports["storage"]),
		fmt.Sprintf("ALEXANDRIA_SEARCH_STORAGE_URL=http://127.0.0.1:%d", ports["storage"]),
		fmt.Sprintf("ALEXANDRIA_ENGAGEMENT_CATALOG_URL=http://127.0.0.1:%d", ports["catalog"]),
		// Storage asks catalog about a signed link's creator with it: the
		// processes must share it, as Compose and the chart arrange.
		"ALEXANDRIA_SERVICE_KEY=split-mode-test-service-key",
	}
	common = append(common, extra...)
	s := &splitDeployment{procs: map[string]*process{}, envs: map[string][]string{}, ports: ports, nats: nats}
	for _, target := range splitTargets {
		s.envs[target] = append(append([]string{}, common...),
			fmt.Sprintf("ALEXANDRIA_HTTP_ADDR=127.0.0.1:%d", ports[target]), "ALEXANDRIA_DATA_DIR="+t.TempDir())
		s.start(t, target)
	}
	s.gateway = startGateway(t, nginx, gwPort, map[string]int{"IDENTITY": ports["identity"], "CATALOG": ports["catalog"],
		"STORAGE": ports["storage"], "PROCESSING": ports["processing"], "FEEDS": ports["feeds"], "SEARCH": ports["search"],
		"ENGAGEMENT": ports["engagement"], "ANALYTICS": ports["analytics"], "NOTIFY": ports["notify"], "WEB": ports["web"]})
	return s
}

// TestSplitModeBehindGateway runs the user journey through the gateway with
// every target in its own process, checks that a token issued by identity is
// accepted by catalog, that killing one target fails only its routes (and
// they recover when it returns), and that events cross processes.
func TestSplitModeBehindGateway(t *testing.T) {
	if testing.Short() {
		t.Skip("split-mode test: skipped with -short")
	}
	t.Parallel()
	s := startSplitDeployment(t)

	t.Run("gateway_routes_every_operation_to_its_target", func(t *testing.T) {
		routes := parseRoutes(t)
		for _, target := range apiTargets {
			for _, path := range openAPIPaths(t, s.procs[target].URL) {
				if got := routes.upstream(path); got != target {
					t.Errorf("%s (a %s route) goes to %q", path, target, got)
				}
			}
		}
	})

	t.Run("gateway_sends_app_paths_to_web_and_keeps_api_404s_json", func(t *testing.T) {
		// The app shell, or the placeholder page when the binary was built
		// without the app: HTML either way, from the web target.
		for _, path := range []string{"/", "/browse"} {
			a := do(t, http.MethodGet, s.gateway+path, "", "")
			if a.status != http.StatusOK || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") ||
				!strings.Contains(strings.ToLower(a.body), "<html") {
				t.Errorf("GET %s through the gateway: %d %q, want the app's HTML", path, a.status, a.header.Get("Content-Type"))
			}
		}
		// /v1/... is the gateway's own 404; /v1 reaches web, which leaves the
		// API's paths to its router.
		for _, path := range []string{"/v1/no-such-resource", "/v1"} {
			a := do(t, http.MethodGet, s.gateway+path, "", "")
			var p struct {
				Status int `json:"status"`
			}
			if a.status != http.StatusNotFound || !strings.HasPrefix(a.header.Get("Content-Type"), "application/problem+json") ||
				json.Unmarshal([]byte(a.body), &p) != nil || p.Status != http.StatusNotFound {
				t.Errorf("GET %s through the gateway: %d %q %s, want a JSON problem 404", path, a.status, a.header.Get("Content-Type"), a.body)
			}
		}
	})

	t.Run("gateway_reaches_feeds", func(t *testing.T) {
		for path, ct := range map[string]string{"/opds/v2/catalog": "application/opds+json",
			"/opds/v1.2/catalog": "application/atom+xml", "/robots.txt": "text/plain", "/sitemap.xml": "application/xml"} {
			a := do(t, http.MethodGet, s.gateway+path, "", "")
			if a.status != http.StatusOK || !strings.HasPrefix(a.header.Get("Content-Type"), ct) {
				t.Errorf("GET %s through the gateway: %d %q, want %s from feeds", path, a.status, a.header.Get("Content-Type"), ct)
			}
		}
		// Feed tokens (signed in) and private feeds (unknown secret: 404 from feeds).
		if a := do(t, http.MethodGet, s.gateway+"/v1/feeds/tokens", "", ""); a.status != http.StatusUnauthorized {
			t.Errorf("GET /v1/feeds/tokens through the gateway, anonymously: %d %s", a.status, a.body)
		}
		if a := do(t, http.MethodGet, s.gateway+"/feeds/private/alxf_"+strings.Repeat("A", 43)+"/atom.xml", "", ""); a.status != http.StatusNotFound ||
			!strings.Contains(a.body, "private feed") {
			t.Errorf("unknown private feed through the gateway: %d %s", a.status, a.body)
		}
	})

	scenario(t, s)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	anon := client.New(s.gateway, nil)
	admin := signIn(ctx, t, anon, adminEmail, adminPassword)

	// Killing catalog fails its routes only.
	s.procs["catalog"].kill()
	_, err := anon.ListMedia(ctx, client.MediaFilter{})
	wantStatus(t, "catalog route while catalog is down", err, http.StatusServiceUnavailable)
	if _, err := admin.Me(ctx); err != nil {
		t.Fatalf("identity route failed while only catalog is down: %v", err)
	}
	signIn(ctx, t, anon, adminEmail, adminPassword)
	s.start(t, "catalog")
	if _, err := admin.ListMedia(ctx, client.MediaFilter{}); err != nil {
		t.Fatalf("catalog did not recover: %v", err)
	}

	// Killing identity: catalog keeps serving, and still accepts tokens
	// identity issued: it verifies them locally with the keys it fetched
	// (above). A catalog that never saw identity's keys could not.
	s.procs["identity"].kill()
	if _, err := admin.ListMedia(ctx, client.MediaFilter{}); err != nil {
		t.Fatalf("catalog rejected a token while identity is down: %v", err)
	}
	_, err = anon.Login(ctx, adminEmail, adminPassword)
	wantStatus(t, "identity route while identity is down", err, http.StatusServiceUnavailable)
	s.start(t, "identity")

	// Events cross processes: deleting a user in identity removes their
	// memberships in catalog.
	eve, _ := registerAndSignInUser(ctx, t, anon, "eve@example.org", "Eve")
	_, err = admin.UpdateUser(ctx, eve.ID, client.UserPatch{Roles: []string{"reader", "author"}})
	must(t, err)
	eveClient := signIn(ctx, t, anon, "eve@example.org", passwordOf("eve@example.org"))
	shop, err := eveClient.CreateAuthor(ctx, client.AuthorInput{Name: "Eve's shop"})
	must(t, err)
	must(t, eveClient.DeleteUser(ctx, eve.ID))
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, err := admin.GetAuthor(ctx, shop.ID)
		must(t, err)
		if a.Status == "removed" && len(a.Members) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("author of a deleted sole owner is still %q with %d members", a.Status, len(a.Members))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The media pipeline across four processes: an upload through the
	// gateway reaches storage, processing (over NATS, through the shared
	// object store) and catalog, and the file downloads through the gateway.
	if !mediaToolsPresent() {
		if requireServers() {
			t.Fatal("ffmpeg and poppler-utils are required for the media steps")
		}
		t.Log("media tools absent: split-mode upload not exercised")
		return
	}
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Split uploads"})
	must(t, err)
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Split paper", Kind: "book", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)
	pdf := testfiles.PDF("Split paper", "written in split mode", 1)
	bearer := "Bearer " + adminToken(ctx, t, anon)
	put := tusRequest(t, http.MethodPut, s.gateway+"/v1/media/"+m.ID+"/content", map[string]string{
		"Authorization": bearer, "Content-Type": "application/pdf"}, pdf)
	if put.StatusCode != http.StatusCreated {
		t.Fatalf("upload through the gateway: %d %s", put.StatusCode, readAll(put))
	}
	deadline = time.Now().Add(60 * time.Second)
	for {
		// Processed, the draft stays a draft: publish it.
		got := getJSON(t, s.gateway+"/v1/media/"+m.ID, bearer)
		if got["status"] == "draft" && got["content"] != nil {
			break
		}
		if got["status"] == "failed" || time.Now().After(deadline) {
			t.Fatalf("uploaded item is %q", got["status"])
		}
		time.Sleep(100 * time.Millisecond)
	}
	current, err := admin.GetMedia(ctx, m.ID)
	must(t, err)
	published := "published"
	_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, current.ETag)
	must(t, err)
	dl := tusRequest(t, http.MethodGet, s.gateway+"/v1/media/"+m.ID+"/content", nil, nil)
	if body := readAll(dl); dl.StatusCode != http.StatusOK || body != string(pdf) {
		t.Fatalf("download through the gateway: %d, %d bytes", dl.StatusCode, len(body))
	}
	// Search in its own process: the title from catalog's events, the
	// text from storage over HTTP, both answered through the gateway.
	deadline = time.Now().Add(30 * time.Second)
	for {
		found := do(t, http.MethodGet, s.gateway+"/v1/search?q=written+split", "", "")
		inside := do(t, http.MethodGet, s.gateway+"/v1/media/"+m.ID+"/search?q=written", "", "")
		if found.status == http.StatusOK && strings.Contains(found.body, m.ID) && inside.status == http.StatusOK &&
			strings.Contains(inside.body, `"page":1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("search through the gateway: %d %s / %d %s", found.status, found.body, inside.status, inside.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func adminToken(ctx context.Context, t *testing.T, anon *client.Client) string {
	t.Helper()
	tok, err := anon.Login(ctx, adminEmail, adminPassword)
	must(t, err)
	return tok.AccessToken
}

func requireNginx(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"nginx", "/usr/sbin/nginx"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("TEST_REQUIRE_SERVERS") == "1" {
		t.Fatal("nginx required (Debian package nginx)")
	}
	t.Skip("nginx not installed")
	return ""
}

// startGateway renders the template for the given target ports and runs
// nginx in the foreground until the test ends.
func startGateway(t *testing.T, nginx string, port int, upstreams map[string]int) string {
	t.Helper()
	dir := t.TempDir()
	tmpl, err := os.ReadFile(gatewayTemplate)
	must(t, err)
	conf := strings.ReplaceAll(string(tmpl), "${LISTEN_PORT}", fmt.Sprintf("127.0.0.1:%d", port))
	for name, p := range upstreams {
		conf = strings.ReplaceAll(conf, "${"+name+"_UPSTREAM}", fmt.Sprintf("127.0.0.1:%d", p))
	}
	if m := regexp.MustCompile(`\$\{[A-Z_]+\}`).FindString(conf); m != "" {
		t.Fatalf("template variable %s left unset", m)
	}
	must(t, os.WriteFile(filepath.Join(dir, "alexandria.conf"), []byte(conf), 0o600))
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	main := fmt.Sprintf(`%s
worker_processes 1;
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/alexandria.conf;
}
`, user, dir)
	must(t, os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o600))
	if out, err := exec.Command(nginx, "-t", "-c", filepath.Join(dir, "nginx.conf"), "-p", dir).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	cmd := exec.Command(nginx, "-c", filepath.Join(dir, "nginx.conf"), "-p", dir)
	must(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("gateway error log:\n%s", tail(string(b), 40))
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/livez"); err == nil {
			resp.Body.Close()
			return base
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("gateway did not start")
	return ""
}

// gatewayRoute is one location of the template: proxied, or answered by
// the gateway itself (upstream "").
type gatewayRoute struct {
	modifier string // "", "=" or "~"
	path     string // prefix, exact path or regular expression
	re       *regexp.Regexp
	upstream string
}

type gatewayRoutes []gatewayRoute

// locationBlock matches a location and the first proxy_pass inside it.
var locationBlock = regexp.MustCompile(`(?s)location\s+(=|~)?\s*(\S+)\s*\{([^}]*)\}`)
var proxyPass = regexp.MustCompile(`proxy_pass http://alexandria_(\w+);`)

func parseRoutes(t *testing.T) gatewayRoutes {
	t.Helper()
	b, err := os.ReadFile(gatewayTemplate)
	must(t, err)
	var out gatewayRoutes
	for _, m := range locationBlock.FindAllStringSubmatch(string(b), -1) {
		pp := proxyPass.FindStringSubmatch(m[3])
		if pp == nil {
			// The gateway's own answer (/livez, the API's 404): no upstream.
			if strings.HasPrefix(m[2], "/") && strings.Contains(m[3], "return ") {
				out = append(out, gatewayRoute{modifier: m[1], path: m[2]})
			}
			continue
		}
		r := gatewayRoute{modifier: m[1], path: m[2], upstream: pp[1]}
		if r.modifier == "~" {
			r.re = regexp.MustCompile(r.path)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		t.Fatal("no proxied locations in the gateway template")
	}
	return out
}

// upstream resolves a path as nginx does: an exact match; else the first
// matching regular expression; else the longest matching prefix.
func (r gatewayRoutes) upstream(path string) string {
	best, bestLen := "", -1
	for _, l := range r {
		switch l.modifier {
		case "=":
			if l.path == path {
				return l.upstream
			}
		case "":
			if strings.HasPrefix(path, l.path) && len(l.path) > bestLen {
				best, bestLen = l.upstream, len(l.path)
			}
		}
	}
	for _, l := range r {
		if l.modifier == "~" && l.re.MatchString(path) {
			return l.upstream
		}
	}
	return best
}

// openAPIPaths lists a target's operation paths with parameters filled in.
func openAPIPaths(t *testing.T, base string) []string {
	t.Helper()
	var doc struct {
		Paths map[string]any `json:"paths"`
	}
	must(t, json.Unmarshal([]byte(do(t, http.MethodGet, base+"/openapi.json", "", "").body), &doc))
	param := regexp.MustCompile(`\{[^}]+\}`)
	var out []string
	for p := range doc.Paths {
		out = append(out, param.ReplaceAllString(p, "x"))
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("%s documents no paths", base)
	}
	return out
}
