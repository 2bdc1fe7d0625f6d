package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestHostileRequestsAtTheEdge sends what a hostile review sent to the
// running binary: invented methods and paths (which must not grow /metrics),
// /metrics on the public port, a method a path does not serve, a broken
// chunked body, bodies encoding/json would quietly repair, and a query with
// a broken escape. Each answer is a problem document naming the input.
func TestHostileRequestsAtTheEdge(t *testing.T) {
	t.Parallel()
	p := start(t, []string{"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + t.TempDir(),
		"ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword})
	if p.OpsURL == "" {
		t.Fatalf("no operations listener announced:\n%s", p.Stdout())
	}

	t.Run("metrics_only_on_the_operations_listener", func(t *testing.T) {
		checkProblemAnswer(t, do(t, http.MethodGet, p.URL+"/metrics", "", ""), http.StatusNotFound, "")
		if resp := do(t, http.MethodGet, p.OpsURL+"/metrics", "", ""); resp.status != http.StatusOK ||
			!strings.Contains(resp.body, "alexandria_http_requests_total") {
			t.Fatalf("ops /metrics: %d", resp.status)
		}
		if resp := do(t, http.MethodGet, p.OpsURL+"/readyz", "", ""); resp.status != http.StatusOK {
			t.Fatalf("ops /readyz: %d", resp.status)
		}
	})

	t.Run("invented_methods_and_paths_do_not_grow_metrics", func(t *testing.T) {
		for i := range 300 {
			method := fmt.Sprintf("M%05d", i)
			path := fmt.Sprintf("/nowhere-%d", i)
			if i%2 == 0 {
				path = "/v1/media"
			}
			resp := do(t, method, p.URL+path, "", "")
			if resp.status < 400 || resp.status >= 500 {
				t.Fatalf("%s %s = %d", method, path, resp.status)
			}
		}
		metrics := do(t, http.MethodGet, p.OpsURL+"/metrics", "", "").body
		series := regexp.MustCompile(`(?m)^alexandria_http_requests_total\{(.*)\}`).FindAllStringSubmatch(metrics, -1)
		methods := map[string]bool{}
		for _, s := range series {
			if m := regexp.MustCompile(`method="([^"]*)"`).FindStringSubmatch(s[1]); m != nil {
				methods[m[1]] = true
			}
		}
		if !methods["other"] {
			t.Errorf("invented methods are not recorded as method=\"other\": %v", methods)
		}
		for m := range methods {
			if strings.HasPrefix(m, "M0") {
				t.Fatalf("an invented method became a label value: %q", m)
			}
		}
		if len(series) > 60 {
			t.Fatalf("%d request series after 300 invented requests", len(series))
		}
	})

	t.Run("a_path_served_for_other_methods_answers_405", func(t *testing.T) {
		resp := do(t, http.MethodDelete, p.URL+"/v1/media", "", "")
		checkProblemAnswer(t, resp, http.StatusMethodNotAllowed, "")
		if allow := resp.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
			t.Fatalf("Allow %q", allow)
		}
	})

	t.Run("malformed_chunked_body_is_a_bad_request", func(t *testing.T) {
		for _, path := range []string{"/v1/users", "/v1/auth/token", "/v1/media"} {
			checkProblemAnswer(t, rawRequest(t, p.URL, "POST "+path+" HTTP/1.1\r\nHost: x\r\n"+
				"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"+
				"5\r\n{\"a\":\r\nnot-hex\r\n1\r\n}\r\n0\r\n\r\n"), http.StatusBadRequest, "")
		}
	})

	register := p.URL + "/v1/users"
	const rest = `"password":"long enough password","display_name":"X"`
	cases := []struct {
		name, method, url, body string
		status                  int
		field                   string
	}{
		{"invalid_utf8_is_refused_not_replaced", "POST", register,
			"{\"email\":\"x@example.org\"," + rest[:len(rest)-2] + "\xff\xfe\"}", 400, "display_name"},
		{"wrong_case_key_is_an_unknown_field", "POST", register, `{"Email":"x@example.org",` + rest + `}`, 422, "Email"},
		{"duplicate_key_is_refused", "POST", register,
			`{"email":"x@example.org","email":"y@example.org",` + rest + `}`, 400, "email"},
		{"invalid_escape_in_a_filter", "GET", p.URL + "/v1/media?kind=%zz", "", 400, "kind"},
		{"invalid_escape_in_a_name", "GET", p.URL + "/v1/media?ki%zznd=book", "", 400, "query"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctype := ""
			if tc.body != "" {
				ctype = "application/json"
			}
			checkProblemAnswer(t, do(t, tc.method, tc.url, ctype, tc.body), tc.status, tc.field)
		})
	}
}

// rawRequest writes a request byte for byte (for bodies net/http would not
// send) and reads the answer.
func rawRequest(t *testing.T, base, request string) answer {
	t.Helper()
	u, err := url.Parse(base)
	must(t, err)
	conn, err := net.Dial("tcp", u.Host)
	must(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, request)
	must(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// checkProblemAnswer asserts a problem document with status that names
// field (when field is not empty).
func checkProblemAnswer(t *testing.T, resp answer, status int, field string) {
	t.Helper()
	if resp.status != status {
		t.Fatalf("status %d, want %d: %s", resp.status, status, resp.body)
	}
	if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want problem+json: %s", ct, resp.body)
	}
	var prob struct {
		Type   string `json:"type"`
		Status int    `json:"status"`
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	must(t, json.Unmarshal([]byte(resp.body), &prob))
	if prob.Status != status || !strings.HasPrefix(prob.Type, "urn:alexandria:problem:") {
		t.Fatalf("problem %s", resp.body)
	}
	if field == "" {
		return
	}
	for _, e := range prob.Errors {
		if e.Field == field {
			return
		}
	}
	t.Fatalf("problem does not name field %q: %s", field, resp.body)
}
