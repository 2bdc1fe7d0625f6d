package httpx

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// The fuzz targets here feed the edge (Edge + huma + strictJSON) the two
// inputs every API shares: the JSON body and the query string. Run one with
// `go test ./internal/platform/httpx -run '^$' -fuzz '^FuzzJSONBody$'`;
// `make fuzz` runs each for a few seconds.

// fuzzProblem checks a refusal is a problem document of the status sent.
func fuzzProblem(t *testing.T, rec *httptest.ResponseRecorder) problemBody {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("status %d with content type %q: %s", rec.Code, ct, rec.Body)
	}
	var p problemBody
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("status %d body is not a problem document: %v: %s", rec.Code, err, rec.Body)
	}
	if p.Status != rec.Code || !strings.HasPrefix(p.Type, ProblemTypeBase) || p.Detail == "" {
		t.Fatalf("problem %+v does not match status %d", p, rec.Code)
	}
	return p
}

func FuzzJSONBody(f *testing.F) {
	for _, seed := range []string{
		`{"name":"a"}`, `{"name":"a","tags":["x","y"],"meta":{"note":"n"}}`, `{"name":"a","name":"b"}`,
		`{"Name":"a"}`, `{"name":"a\ud800b"}`, `{"name":"\ud83d\ude00"}`, "{\"name\":\"a\xffb\"}", `{"name":1}`,
		`[]`, `null`, ``, `{"name":"a"} {"name":"b"}`, `{"name":"a","extra":true}`, `{"tags":[[[[[]]]]]}`,
		`{"name":"\\ud800"}`, `{"meta":{"note":"x","note":"y"},"name":"z"}`,
	} {
		f.Add([]byte(seed), "application/json")
	}
	f.Add([]byte(`{"name":"a"}`), "text/plain")
	f.Add([]byte(`{"name":"a"}`), "application/merge-patch+json")
	h := edgeServer(f)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		if !validHeaderValue(contentType) {
			return // net/http would not send it
		}
		req := httptest.NewRequest(http.MethodPost, "/v1/things", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			// Accepted: the body is one JSON object the strict rules allow,
			// and the handler saw exactly its name.
			if checkJSON(body) != nil || !json.Valid(body) || !utf8.Valid(body) {
				t.Fatalf("accepted a body the strict decoder refuses: %q", body)
			}
			var in struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(body, &in); err != nil {
				t.Fatalf("accepted %q: %v", body, err)
			}
			var out struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Name != in.Name {
				t.Fatalf("round trip: sent name %q, handler saw %q (%v)", in.Name, out.Name, err)
			}
		case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge,
			http.StatusUnsupportedMediaType:
			p := fuzzProblem(t, rec)
			if rec.Code == http.StatusBadRequest || rec.Code == http.StatusUnprocessableEntity {
				if len(p.Errors) == 0 && p.Detail == "" {
					t.Fatalf("refusal names nothing: %s", rec.Body)
				}
			}
		default:
			t.Fatalf("body %q (Content-Type %q): status %d: %s", body, contentType, rec.Code, rec.Body)
		}
	})
}

func FuzzQueryString(f *testing.F) {
	for _, seed := range []string{
		"", "kind=book", "kind=book&name=x", "kind=%zz", "k%zzind=book", "kind=book;name=x", "name=%ff",
		"name=%e2%80%ae", "=x", "&&&", "kind", "name=a+b&name=c", "%", "name=%c3%a9",
	} {
		f.Add(seed)
	}
	h := edgeServer(f)
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/v1/things", nil)
		req.URL.RawQuery = raw
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			// Accepted only when every pair decodes: nothing was dropped.
			if _, err := url.ParseQuery(raw); err != nil {
				t.Fatalf("accepted query %q that net/url cannot fully decode: %v", raw, err)
			}
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			p := fuzzProblem(t, rec)
			if len(p.Errors) == 0 {
				t.Fatalf("refusal names no parameter: %s", rec.Body)
			}
			for _, e := range p.Errors {
				if !strings.HasPrefix(e.Location, "query") {
					t.Fatalf("query refusal at %q: %s", e.Location, rec.Body)
				}
			}
		default:
			t.Fatalf("query %q: status %d: %s", raw, rec.Code, rec.Body)
		}
	})
}

type fuzzPosition struct {
	Order string `json:"o"`
	Key   string `json:"k,omitempty"`
	ID    string `json:"i"`
	N     int64  `json:"n,omitempty"`
}

func FuzzPageToken(f *testing.F) {
	f.Add(EncodePageToken(fuzzPosition{Order: "title", Key: "Odyssey", ID: "0190"}), "title", "k", "id", int64(3))
	f.Add("", "", "", "", int64(0))
	f.Add("not a token", "a", "b", "c", int64(-1))
	f.Add("eyJvIjoxfQ", "x", "", "y", int64(1<<40))
	f.Add(strings.Repeat("A", 2000), "", "", "", int64(0))
	f.Fuzz(func(t *testing.T, token, order, key, id string, n int64) {
		// Any token: a position or an Invalid error on query.page_token.
		var pos fuzzPosition
		if err := DecodePageToken(token, &pos); err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Name != "query.page_token" {
				t.Fatalf("token %q: error %v is not an Invalid error on query.page_token", token, err)
			}
		} else if len(token) > 1024 {
			t.Fatalf("accepted a token of %d bytes", len(token))
		}
		// Round trip: what we encode decodes to itself (strings that are
		// valid UTF-8; encoding/json replaces the rest).
		if !utf8.ValidString(order) || !utf8.ValidString(key) || !utf8.ValidString(id) {
			return
		}
		want := fuzzPosition{Order: order, Key: key, ID: id, N: n}
		tok := EncodePageToken(want)
		if len(tok) > 1024 {
			return
		}
		var got fuzzPosition
		if err := DecodePageToken(tok, &got); err != nil || got != want {
			t.Fatalf("round trip of %+v: got %+v, %v", want, got, err)
		}
	})
}

// validHeaderValue reports whether net/http would send v as a header value.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
