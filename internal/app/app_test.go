package app

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/config"
)

func TestSelectOrdersByDependencies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		spec string
		want string
	}{
		{"all", "identity,catalog,storage,processing,search,feeds,engagement,analytics,notify,web"},
		{"processing,storage,catalog", "catalog,storage,processing"},
		{"catalog,identity", "identity,catalog"},
		{" catalog ", "catalog"},
		{"identity,identity", "identity"},
	}
	for _, tc := range cases {
		got, err := Select(tc.spec)
		if err != nil {
			t.Fatalf("%q: %v", tc.spec, err)
		}
		if s := strings.Join(names(got), ","); s != tc.want {
			t.Errorf("Select(%q) = %s, want %s", tc.spec, s, tc.want)
		}
	}
}

func TestSelectRejectsUnknownTargets(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"", "catalgo", "all,nope"} {
		if _, err := Select(spec); err == nil {
			t.Errorf("Select(%q) accepted", spec)
		}
	}
}

func TestEveryDependencyIsATarget(t *testing.T) {
	t.Parallel()
	for name, deps := range dependencies {
		for _, d := range append([]string{name}, deps...) {
			if _, err := Select(d); err != nil {
				t.Errorf("dependency map names %q: %v", d, err)
			}
		}
	}
}

func testConfig(t *testing.T) config.Config {
	t.Helper()
	c, err := config.Load(config.Sources{Set: []string{
		"http.addr=127.0.0.1:0", "http.ops_addr=127.0.0.1:0", "data_dir=" + filepath.Join(t.TempDir(), "data"),
		"identity.admin_password=an admin pass phrase", "http.shutdown_timeout=2s",
	}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRunServesOpsEndpointsAndStopsCleanly(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan string, 1)
	opsStarted := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, testConfig(t), "all", Options{Version: "test", Stdout: io.Discard, Stderr: io.Discard,
			Started: func(u string) { started <- u }, OpsStarted: func(u string) { opsStarted <- u }})
	}()
	var base string
	select {
	case base = <-started:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		t.Fatal("did not start")
	}
	ops := <-opsStarted
	if ops == base {
		t.Fatalf("operations listener on the public address %s", base)
	}
	cases := []struct {
		name, url string
		status    int
	}{
		{"public_livez", base + "/livez", http.StatusOK},
		{"public_readyz", base + "/readyz", http.StatusOK},
		{"public_jwks", base + "/.well-known/jwks.json", http.StatusOK},
		{"metrics_not_on_public_port", base + "/metrics", http.StatusNotFound},
		{"ops_metrics", ops + "/metrics", http.StatusOK},
		{"ops_livez", ops + "/livez", http.StatusOK},
		{"ops_readyz", ops + "/readyz", http.StatusOK},
		{"ops_serves_no_api", ops + "/.well-known/jwks.json", http.StatusNotFound},
	}
	for _, tc := range cases {
		resp, err := http.Get(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: GET %s = %d, want %d", tc.name, tc.url, resp.StatusCode, tc.status)
		}
	}
	// The web target fronts the router: app paths get HTML (the app or the
	// placeholder), API paths keep their JSON problems.
	routes := []struct{ path, contentType string }{
		{"/", "text/html; charset=utf-8"},
		{"/media/some-id", "text/html; charset=utf-8"},
		{"/docs", "text/html; charset=utf-8"},
		{"/openapi.json", "application/openapi+json"},
		{"/v1/no-such-thing", "application/problem+json"},
	}
	for _, r := range routes {
		resp, err := http.Get(base + r.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Type"); got != r.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", r.path, got, r.contentType)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v after cancel", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("did not stop")
	}
	for _, u := range []string{base, ops} {
		if _, err := http.Get(u + "/livez"); err == nil {
			t.Fatalf("%s still serving after stop", u)
		}
	}
}

func TestSplitTargetNeedsIdentityURL(t *testing.T) {
	t.Parallel()
	err := Run(context.Background(), testConfig(t), "catalog", Options{Stdout: io.Discard, Stderr: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "identity_url") {
		t.Fatalf("want an identity_url error, got %v", err)
	}
}
