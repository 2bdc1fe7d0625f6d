package httpx

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/alexandria-platform/alexandria/internal/platform/telemetry"
)

type thingInput struct {
	Body struct {
		Name string   `json:"name"`
		Tags []string `json:"tags,omitempty"`
		Meta *struct {
			Note string `json:"note"`
		} `json:"meta,omitempty"`
	}
}

type thingsQuery struct {
	Kind string `query:"kind"`
	Name string `query:"name"`
}

type nameOutput struct {
	Body struct {
		Name string `json:"name"`
	}
}

// edgeServer is a process-like handler: one huma API with a list and a
// create operation on /v1/things, behind Edge.
func edgeServer(t testing.TB) http.Handler {
	t.Helper()
	mux := http.NewServeMux()
	api := NewAPI(mux, "test")
	huma.Register(api, huma.Operation{Method: http.MethodGet, Path: "/v1/things", OperationID: "list-things"},
		func(_ context.Context, in *thingsQuery) (*nameOutput, error) {
			out := &nameOutput{}
			out.Body.Name = in.Kind + "|" + in.Name
			return out, nil
		})
	huma.Register(api, huma.Operation{Method: http.MethodPost, Path: "/v1/things", OperationID: "create-thing",
		MaxBodyBytes: MaxJSONBody},
		func(_ context.Context, in *thingInput) (*nameOutput, error) {
			out := &nameOutput{}
			out.Body.Name = in.Body.Name
			return out, nil
		})
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	tracing, err := telemetry.NewTracing(context.Background(), telemetry.TraceConfig{}, "t", "t")
	if err != nil {
		t.Fatal(err)
	}
	return Edge(RecordRoute(mux), slog.New(slog.DiscardHandler), m, tracing, EdgeOptions{})
}

type problemBody struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field    string `json:"field"`
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
}

func checkProblem(t *testing.T, status int, header http.Header, body []byte, wantStatus int, wantField string) problemBody {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	if ct := header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q: %s", ct, body)
	}
	var p problemBody
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem document: %v: %s", err, body)
	}
	if p.Status != wantStatus || !strings.HasPrefix(p.Type, ProblemTypeBase) {
		t.Fatalf("problem %+v", p)
	}
	if wantField != "" {
		found := false
		for _, e := range p.Errors {
			found = found || e.Field == wantField
		}
		if !found {
			t.Fatalf("problem does not name field %q: %s", wantField, body)
		}
	}
	return p
}

func TestRequestsTheDecoderWouldMisreadAreRefused(t *testing.T) {
	t.Parallel()
	h := edgeServer(t)
	cases := []struct {
		name, method, target, body string
		status                     int
		field                      string
	}{
		{"invalid_utf8_in_a_value", "POST", "/v1/things", "{\"name\":\"a\xffb\"}", 400, "name"},
		{"invalid_utf8_in_an_array", "POST", "/v1/things", "{\"name\":\"a\",\"tags\":[\"ok\",\"\xc3\"]}", 400, "tags[1]"},
		{"lone_surrogate_escape", "POST", "/v1/things", `{"name":"a\ud800b"}`, 400, "name"},
		{"low_surrogate_first", "POST", "/v1/things", `{"name":"\udc00\ud800"}`, 400, "name"},
		{"duplicate_key", "POST", "/v1/things", `{"name":"a","name":"b"}`, 400, "name"},
		{"duplicate_nested_key", "POST", "/v1/things", `{"name":"a","meta":{"note":"x","note":"y"}}`, 400, "meta.note"},
		{"wrong_case_key", "POST", "/v1/things", `{"Name":"a"}`, 422, "Name"},
		{"bad_escape_in_value", "GET", "/v1/things?kind=%zz&name=x", "", 400, "kind"},
		{"bad_escape_in_name", "GET", "/v1/things?k%zzind=book", "", 400, "query"},
		{"semicolon_separator", "GET", "/v1/things?kind=book;name=x", "", 400, "query"},
		{"invalid_utf8_in_query", "GET", "/v1/things?name=%ff", "", 400, "name"},
		{"delete_on_a_listed_path", "DELETE", "/v1/things", "", 405, ""},
		{"invented_method", "BREW", "/v1/things", "", 405, ""},
		{"unknown_path", "GET", "/v1/nothing", "", 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			checkProblem(t, rec.Code, rec.Header(), rec.Body.Bytes(), tc.status, tc.field)
			if tc.status == http.StatusMethodNotAllowed {
				if allow := rec.Header().Get("Allow"); allow != "GET, HEAD, POST" {
					t.Fatalf("Allow %q", allow)
				}
			}
		})
	}
}

func TestWellFormedRequestsStillPass(t *testing.T) {
	t.Parallel()
	h := edgeServer(t)
	cases := []struct {
		name, method, target, body, want string
	}{
		{"escaped_unicode_and_surrogate_pair", "POST", "/v1/things", `{"name":"caf\u00e9 \ud83d\ude00 \\ud800"}`, "café 😀 \\ud800"},
		{"same_key_in_sibling_objects", "POST", "/v1/things", `{"name":"a","tags":[],"meta":{"note":"name"}}`, "a"},
		{"empty_key_is_unknown_not_duplicate", "POST", "/v1/things", `{"name":"ok"}`, "ok"},
		{"plus_and_escapes_in_query", "GET", "/v1/things?kind=book&name=a+b%26c", "", "book|a b&c"},
		{"empty_pairs_in_query", "GET", "/v1/things?&kind=book&&", "", "book|"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var out struct{ Name string }
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.Name != tc.want {
				t.Fatalf("%d %s, want name %q", rec.Code, rec.Body, tc.want)
			}
		})
	}
}

// TestMalformedChunkedBodyIsABadRequest sends a chunked body whose chunk
// size is not hex over a real connection: the answer is a 400 problem, not
// a 500.
func TestMalformedChunkedBodyIsABadRequest(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(edgeServer(t))
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"Transfer-Encoding: chunked\r\n\r\n4\r\n{\"na\r\nzz\r\nme\":\"x\"}\r\n0\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	checkProblem(t, resp.StatusCode, resp.Header, body, http.StatusBadRequest, "")
}
