package validate

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The gateway template (nginx) and the chart's Ingresses (ingress-nginx)
// must send every path to the same target. Both are modelled here with the
// matching rules of their servers, and compared on probe paths: the
// locations' own paths and the routes named in the code.

// location is one location of the gateway template: proxied to a target,
// or answered by the gateway itself (target "").
type location struct {
	kind    string // "=", "prefix" or "~"
	pattern string
	re      *regexp.Regexp // kind "~"
	target  string         // "": the gateway answers (/livez, the API's 404)
	block   string         // the directives between { and }
}

var (
	// location [= ]/path { proxy_pass http://alexandria_X; ... }, on one
	// line or more; proxy_pass is the first directive.
	gatewayLocation = regexp.MustCompile(`(?m)^\s*location\s+(=\s+|~\s+)?(\S+)\s*\{\s*proxy_pass\s+http://alexandria_([a-z]+);([^}]*)\}`)
	// location [= ]/path { default_type ...; return ...; }: the gateway's own.
	ownLocation = regexp.MustCompile(`(?m)^\s*location\s+(=\s+)?(/\S*)\s*\{\s*default_type\s+[^;]+;\s*return\s+[0-9]+`)
	anyLocation = regexp.MustCompile(`(?m)^\s*location\s`)
)

// gatewayLocations parses deploy/nginx/alexandria.conf.template.
func gatewayLocations(t *testing.T) []location {
	t.Helper()
	src := string(readFile(t, "deploy", "nginx", "alexandria.conf.template"))
	var out []location
	for _, m := range gatewayLocation.FindAllStringSubmatch(src, -1) {
		l := location{kind: "prefix", pattern: m[2], target: m[3], block: m[4]}
		switch strings.TrimSpace(m[1]) {
		case "=":
			l.kind = "="
		case "~":
			l.kind = "~"
			re, err := regexp.Compile(m[2])
			if err != nil {
				t.Fatalf("gateway regex location %q: %v", m[2], err)
			}
			l.re = re
		}
		if !strings.HasPrefix(l.pattern, "/") && l.kind != "~" {
			t.Fatalf("gateway location %q is not a path", l.pattern)
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		t.Fatal("no proxy_pass locations in deploy/nginx/alexandria.conf.template")
	}
	proxied := len(out)
	for _, m := range ownLocation.FindAllStringSubmatch(src, -1) {
		kind := "prefix"
		if strings.TrimSpace(m[1]) == "=" {
			kind = "="
		}
		out = append(out, location{kind: kind, pattern: m[2]})
	}
	// Every location is proxied, or the gateway's own answer (/livez, the
	// API's 404), both parsed above, or the named @unavailable.
	if n := len(anyLocation.FindAllString(src, -1)); n != len(out)+1 {
		t.Errorf("the template has %d locations, %d parsed as proxied and %d as the gateway's own: write them as `location [=|~ ]PATH { proxy_pass http://alexandria_<target>; ... }` or `location [= ]PATH { default_type ...; return ...; }`", n, proxied, len(out)-proxied)
	}
	return out
}

// gatewayTarget resolves a path as nginx does: an exact location; else the
// longest prefix is remembered and the regular expressions are tried in
// order, the first match winning; else the longest prefix.
func gatewayTarget(locs []location, p string) string {
	best := -1
	for i, l := range locs {
		switch l.kind {
		case "=":
			if l.pattern == p {
				return l.target
			}
		case "prefix":
			if strings.HasPrefix(p, l.pattern) && (best < 0 || len(l.pattern) > len(locs[best].pattern)) {
				best = i
			}
		}
	}
	for _, l := range locs {
		if l.kind == "~" && l.re.MatchString(p) {
			return l.target
		}
	}
	if best >= 0 {
		return locs[best].target
	}
	return ""
}

// ingressPath is one path of the chart's Ingresses.
type ingressPath struct {
	path, pathType, target, ingress string
}

// ingressTarget resolves a path as ingress-nginx does. Once any Ingress of
// the host has use-regex, every path of the host becomes a case-insensitive
// regular expression anchored at the start, tried longest first; else the
// Prefix paths match element-wise, longest first.
func ingressTarget(t *testing.T, paths []ingressPath, useRegex bool, p string) string {
	t.Helper()
	sorted := slices.Clone(paths)
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i].path) > len(sorted[j].path) })
	for _, ip := range sorted {
		if useRegex {
			re, err := regexp.Compile("(?i)^" + ip.path)
			if err != nil {
				t.Fatalf("Ingress %s path %q is not a regular expression: %v", ip.ingress, ip.path, err)
			}
			if re.MatchString(p) {
				return ip.target
			}
		} else if hasPathPrefix(p, ip.path) {
			return ip.target
		}
	}
	return ""
}

// hasPathPrefix is Kubernetes' Prefix match: element-wise on "/".
func hasPathPrefix(p, prefix string) bool {
	return p == prefix || strings.HasPrefix(p, strings.TrimSuffix(prefix, "/")+"/")
}

const probeID = "0190b7e2-7c1f-7000-8000-0123456789ab"

// codeRoute is a route the code names: a string literal with a path
// parameter or a method ("GET /v1/…"), in internal/<target>.
type codeRoute struct{ path, owner string }

var (
	routeLiteral  = regexp.MustCompile(`"((?:[A-Z]+ )?)(/v1/[^"?\s]*)"`)
	pathParam     = regexp.MustCompile(`\{[^}/]+\}`)
	deadLetterUse = regexp.MustCompile(`\.RegisterAdmin\(`)
)

// codeRoutes lists the routes of every target, parameters filled in, and
// each target's dead-letter administration (internal/platform/events).
func codeRoutes(t *testing.T) []codeRoute {
	t.Helper()
	var out []codeRoute
	for _, name := range targets(t) {
		files, _ := filepath.Glob(path("internal", name, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range routeLiteral.FindAllStringSubmatch(string(b), -1) {
				if m[1] == "" && !strings.Contains(m[2], "{") {
					continue // a prefix or a call to another target, not a route
				}
				out = append(out, codeRoute{pathParam.ReplaceAllString(m[2], probeID), name})
			}
		}
		if !targetUses(t, name, deadLetterUse) {
			continue // no events consumed: no dead letters to administer
		}
		base := "/v1/admin/events/" + name + "/dead-letters"
		out = append(out, codeRoute{base, name}, codeRoute{base + "/" + probeID + "/replay", name})
	}
	return out
}

// probePaths: the code's routes, and each gateway location's path with and
// without something after it.
func probePaths(t *testing.T, locs []location) []string {
	t.Helper()
	set := map[string]bool{}
	for _, r := range codeRoutes(t) {
		set[r.path] = true
	}
	for _, l := range locs {
		if l.kind == "~" {
			continue
		}
		set[l.pattern] = true
		if p := strings.TrimSuffix(l.pattern, "/"); p != "" {
			set[p] = true
		}
		if l.kind == "prefix" {
			set[strings.TrimSuffix(l.pattern, "/")+"/x"] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// TestGatewayRoutes: every route of the code goes to the target that
// serves it; storage's locations stream; the template passes nginx -t.
func TestGatewayRoutes(t *testing.T) {
	t.Parallel()
	locs := gatewayLocations(t)
	known := targets(t)
	for _, l := range locs {
		if l.target != "" && !slices.Contains(known, l.target) {
			t.Errorf("location %s proxies to alexandria_%s, not a target", l.pattern, l.target)
		}
	}
	for _, r := range codeRoutes(t) {
		if got := gatewayTarget(locs, r.path); got != r.owner {
			t.Errorf("gateway sends %s (a %s route) to %q", r.path, r.owner, got)
		}
	}
	// Streaming: uploads and downloads are not limited, buffered or cut
	// short by the gateway (storage enforces its own limits).
	for _, l := range locs {
		if l.target != "storage" || strings.HasPrefix(l.pattern, "/v1/admin/") {
			continue
		}
		for _, d := range []string{"client_max_body_size 0;", "proxy_request_buffering off;", "proxy_buffering off;", "proxy_read_timeout 300s;", "proxy_send_timeout 300s;"} {
			if !strings.Contains(strings.Join(strings.Fields(l.block), " "), d) {
				t.Errorf("storage location %s %s lacks %q", l.kind, l.pattern, d)
			}
		}
	}
	src := string(readFile(t, "deploy", "nginx", "alexandria.conf.template"))
	if !regexp.MustCompile(`(?m)^\s*proxy_set_header X-Forwarded-Host \$http_host;`).MatchString(src) ||
		!regexp.MustCompile(`(?m)^\s*proxy_set_header X-Forwarded-Proto \$scheme;`).MatchString(src) {
		t.Errorf("the gateway must pass X-Forwarded-Host $http_host and X-Forwarded-Proto $scheme (storage builds upload and link URLs from them)")
	}
	nginxCheck(t, src)
}

// nginxCheck renders the template as Compose and the e2e test do and runs
// `nginx -t` on it.
func nginxCheck(t *testing.T, src string) {
	t.Helper()
	nginx := tool(t, "NGINX", "nginx")
	dir := t.TempDir()
	conf := strings.ReplaceAll(src, "${LISTEN_PORT}", "127.0.0.1:18080")
	conf = regexp.MustCompile(`\$\{[A-Z]+_UPSTREAM\}`).ReplaceAllString(conf, "127.0.0.1:18081")
	if m := regexp.MustCompile(`\$\{[A-Z_]+\}`).FindString(conf); m != "" {
		t.Fatalf("template variable %s is neither LISTEN_PORT nor <TARGET>_UPSTREAM", m)
	}
	must(t, os.WriteFile(filepath.Join(dir, "alexandria.conf"), []byte(conf), 0o600))
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	main := fmt.Sprintf(`%s
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 16; }
http {
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/alexandria.conf;
}
`, user, dir)
	must(t, os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o600))
	if out, err := exec.Command(nginx, "-t", "-q", "-c", filepath.Join(dir, "nginx.conf"), "-p", dir).CombinedOutput(); err != nil {
		t.Errorf("nginx -t on the rendered gateway template: %v\n%s", err, out)
	}
}
