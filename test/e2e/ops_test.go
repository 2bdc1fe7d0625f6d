package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestFirstStartPrintsAdminPassword starts with no configuration at all
// besides where to listen and store data: the process creates the first
// administrator and prints its password once, and that password works.
func TestFirstStartPrintsAdminPassword(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	env := []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + dataDir}
	p := start(t, env)
	m := regexp.MustCompile(`(?i)administrator (\S+@\S+) with password (\S+)`).FindStringSubmatch(p.Stdout())
	if m == nil {
		t.Fatalf("no generated admin password printed; stdout:\n%s", p.Stdout())
	}
	c := clientFor(p.URL)
	signIn(t.Context(), t, c, m[1], m[2])
	p.stop()

	// A second start must not print (or change) it again.
	p2 := start(t, env)
	if strings.Contains(p2.Stdout(), "password") {
		t.Fatalf("second start printed a password again:\n%s", p2.Stdout())
	}
	signIn(t.Context(), t, clientFor(p2.URL), m[1], m[2])
}

// TestBadConfigurationStopsWithFieldName checks that start-up validation
// names the offending option and exits non-zero.
func TestBadConfigurationStopsWithFieldName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  string
		want string
	}{
		{"malformed_database_url", "ALEXANDRIA_DATABASE_URL=mysql://nope", "database.url"},
		{"unknown_option", "ALEXANDRIA_HTTP_ADDRESS=:1", "ALEXANDRIA_HTTP_ADDRESS"},
		{"bad_duration", "ALEXANDRIA_IDENTITY_ACCESS_TOKEN_TTL=soon", "ALEXANDRIA_IDENTITY_ACCESS_TOKEN_TTL"},
		{"bad_listen_address", "ALEXANDRIA_HTTP_ADDR=nonsense", "http.addr"},
		{"bad_ops_address", "ALEXANDRIA_HTTP_OPS_ADDR=nonsense", "http.ops_addr"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(binary, "serve")
			cmd.Env = []string{"ALEXANDRIA_DATA_DIR=" + t.TempDir(), tc.env}
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("started despite %s", tc.env)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Fatalf("error does not name %s:\n%s", tc.want, out)
			}
		})
	}
}

// TestOperationsAndHostileInput covers the endpoints operators and API
// explorers use, and requests a hostile client would send.
func TestOperationsAndHostileInput(t *testing.T) {
	t.Parallel()
	p := start(t, []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + t.TempDir(),
		"ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword})

	for _, path := range []string{"/livez", "/readyz", "/openapi.json", "/docs"} {
		resp := do(t, http.MethodGet, p.URL+path, "", "")
		if resp.status != http.StatusOK {
			t.Errorf("GET %s = %d", path, resp.status)
		}
	}
	if out, err := exec.Command(binary, "healthcheck", "-url", p.URL+"/readyz").CombinedOutput(); err != nil {
		t.Errorf("healthcheck of a ready process failed: %v %s", err, out)
	}
	if err := exec.Command(binary, "healthcheck", "-url", "http://127.0.0.1:1/readyz").Run(); err == nil {
		t.Error("healthcheck passed with nothing listening")
	}
	metrics := do(t, http.MethodGet, p.OpsURL+"/metrics", "", "")
	for _, want := range []string{"alexandria_http_requests_total", "go_goroutines", "go_sql_open_connections"} {
		if !strings.Contains(metrics.body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	must(t, json.Unmarshal([]byte(do(t, http.MethodGet, p.URL+"/openapi.json", "", "").body), &doc))
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Paths["/v1/media"] == nil || doc.Paths["/v1/auth/token"] == nil {
		t.Fatalf("openapi.json: version %q, %d paths", doc.OpenAPI, len(doc.Paths))
	}

	register := p.URL + "/v1/users"
	cases := []struct {
		name, method, url, ctype, body string
		status                         int
		field                          string
	}{
		{"unknown_field", http.MethodPost, register, "application/json",
			`{"email":"x@example.org","password":"long enough password","display_name":"X","admin":true}`, 422, "admin"},
		{"malformed_json", http.MethodPost, register, "application/json", `{"email":`, 400, ""},
		{"wrong_content_type", http.MethodPost, register, "application/xml", `<user/>`, 415, ""},
		{"oversized_body", http.MethodPost, register, "application/json",
			`{"email":"x@example.org","password":"` + strings.Repeat("a", 2<<20) + `","display_name":"X"}`, 413, ""},
		{"missing_field", http.MethodPost, register, "application/json", `{"email":"x@example.org"}`, 422, "password"},
		{"bad_email", http.MethodPost, register, "application/json",
			`{"email":"not-an-email","password":"long enough password","display_name":"X"}`, 422, "email"},
		{"unknown_route", http.MethodGet, p.URL + "/v1/nothing-here", "", "", 404, ""},
		{"bad_uuid_in_path", http.MethodGet, p.URL + "/v1/media/..%2f..%2fetc%2fpasswd", "", "", 404, ""},
		{"bad_page_token", http.MethodGet, p.URL + "/v1/media?page_token=not-a-token", "", "", 422, ""},
		{"garbage_bearer", http.MethodGet, p.URL + "/v1/users/me", "", "", 401, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			auth := ""
			if tc.name == "garbage_bearer" {
				auth = "Bearer not.a.token"
			}
			resp := doAuth(t, tc.method, tc.url, tc.ctype, tc.body, auth)
			if resp.status != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.status, tc.status, resp.body)
			}
			if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Fatalf("content type %q, want problem+json", ct)
			}
			var prob struct {
				Type   string `json:"type"`
				Status int    `json:"status"`
				Errors []struct {
					Field string `json:"field"`
				} `json:"errors"`
			}
			must(t, json.Unmarshal([]byte(resp.body), &prob))
			if prob.Status != tc.status || !strings.HasPrefix(prob.Type, "urn:alexandria:problem:") {
				t.Fatalf("problem %+v", prob)
			}
			if tc.field != "" {
				found := false
				for _, e := range prob.Errors {
					found = found || strings.Contains(e.Field, tc.field)
				}
				if !found {
					t.Fatalf("problem does not name field %q: %s", tc.field, resp.body)
				}
			}
		})
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, url, ctype, body string) answer {
	return doAuth(t, method, url, ctype, body, "")
}

func doAuth(t *testing.T, method, url, ctype, body, authz string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewBufferString(body))
	must(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// TestMigrateCommand applies and lists migrations without serving.
func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	env := []string{"ALEXANDRIA_DATA_DIR=" + t.TempDir()}
	run := func(args ...string) string {
		cmd := exec.Command(binary, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("alexandria %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := run("migrate", "status"); !strings.Contains(out, "pending") || strings.Contains(out, "applied") {
		t.Fatalf("fresh store status:\n%s", out)
	}
	run("migrate", "up")
	out := run("migrate", "status", "-target=identity,catalog")
	if strings.Contains(out, "pending") || !strings.Contains(out, "identity") || !strings.Contains(out, "catalog") {
		t.Fatalf("status after up:\n%s", out)
	}
	if out := run("config"); !strings.Contains(out, "data_dir") {
		t.Fatalf("config prints:\n%s", out)
	}
	if out := run("events", "dlq", "list", "-target=catalog"); !strings.Contains(out, "CONSUMER") {
		t.Fatalf("dlq list:\n%s", out)
	}
	if out := run("events", "dlq", "purge", "-target=identity"); !strings.Contains(out, "purged 0") {
		t.Fatalf("dlq purge:\n%s", out)
	}
	if out := run("serve", "-list-targets"); !strings.Contains(out, "identity") || !strings.Contains(out, "catalog") {
		t.Fatalf("targets:\n%s", out)
	}
}
