package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// TestRangesAreCappedMergedAndRefusedAsProblems covers Range headers an
// attacker or a broken client sends: many tiny ranges, overlapping ones,
// an empty suffix, ranges past the end.
func TestRangesAreCappedMergedAndRefusedAsProblems(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	e := newEnv(t, s, "", nil)
	uid, authz := e.user()
	media := e.catalog.newMedia(KindDocument, "published", uid)
	data := bytes.Repeat([]byte("0123456789abcdef\n"), 600)
	expectStatus(t, e.do(nil, http.MethodPut, "/v1/media/"+media+"/content", authz, bytes.NewReader(data), nil), http.StatusCreated)
	path := "/v1/media/" + media + "/content"
	size := itoa(int64(len(data)))
	many := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("%d-%d", 2*i, 2*i)
		}
		return "bytes=" + strings.Join(parts, ",")
	}

	for _, tc := range []struct {
		name, rangeHeader, detail string
	}{
		{name: "empty_suffix_is_416", rangeHeader: "bytes=-0"},
		{name: "range_past_the_end_is_416", rangeHeader: "bytes=" + size + "-"},
		{name: "thousands_of_ranges_are_416", rangeHeader: many(2000), detail: "at most 16 ranges"},
		{name: "seventeen_disjoint_ranges_are_416", rangeHeader: many(17), detail: "at most 16 ranges"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": tc.rangeHeader})
			p := problemOf(t, resp, http.StatusRequestedRangeNotSatisfiable)
			if got := resp.Header.Get("Content-Range"); got != "bytes */"+size {
				t.Errorf("Content-Range %q, want bytes */%s", got, size)
			}
			if d, _ := p["detail"].(string); !strings.Contains(d, tc.detail) {
				t.Errorf("detail %q, want it to say %q", d, tc.detail)
			}
		})
	}
	t.Run("sixteen_ranges_are_served", func(t *testing.T) {
		resp := e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": many(16)})
		if parts := multipartRanges(t, resp); len(parts) != 16 || parts[15] != string(data[30:31]) {
			t.Fatalf("parts %q", parts)
		}
	})
	t.Run("overlapping_and_adjacent_ranges_merge_into_one", func(t *testing.T) {
		resp := e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": "bytes=20-29,0-9,5-19,-10"})
		parts := multipartRanges(t, resp)
		if len(parts) != 2 || parts[0] != string(data[0:30]) || parts[1] != string(data[len(data)-10:]) {
			t.Fatalf("parts %q", parts)
		}
		resp = e.do(nil, http.MethodGet, path, "", nil, map[string]string{"Range": "bytes=10-19,0-9,5-14"})
		if got := expectStatus(t, resp, http.StatusPartialContent); !bytes.Equal(got, data[0:20]) ||
			resp.Header.Get("Content-Range") != "bytes 0-19/"+size {
			t.Fatalf("merged range: %q, Content-Range %q", got, resp.Header.Get("Content-Range"))
		}
	})
	t.Run("malformed_range_or_stale_if_range_serve_the_whole_file", func(t *testing.T) {
		for _, hdr := range []map[string]string{
			{"Range": "bytes=abc"},
			{"Range": many(2000), "If-Range": `"stale"`},
		} {
			if got := expectStatus(t, e.do(nil, http.MethodGet, path, "", nil, hdr), http.StatusOK); !bytes.Equal(got, data) {
				t.Fatalf("%v: %d bytes", hdr, len(got))
			}
		}
	})
}

// multipartRanges reads a 206 multipart/byteranges answer into its parts.
func multipartRanges(t *testing.T, resp *http.Response) []string {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent {
		t.Fatalf("status %d", resp.StatusCode)
	}
	mt, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "multipart/byteranges" {
		b, _ := io.ReadAll(resp.Body)
		return []string{string(b)}
	}
	var parts []string
	mr := multipart.NewReader(resp.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part)
		parts = append(parts, string(b))
	}
}

// TestTusErrorsAreProblems covers what tusd itself refuses: those answers
// are problem documents like the rest of the API.
func TestTusErrorsAreProblems(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	e := newEnv(t, s, "", nil)
	uid, authz := e.user()
	media := e.catalog.newMedia(KindBook, "draft", uid)
	resp := e.tusCreate(authz, media, 4096)
	expectStatus(t, resp, http.StatusCreated)
	location := resp.Header.Get("Location")

	for _, tc := range []struct {
		name   string
		method string
		url    string
		hdr    map[string]string
		status int
		detail string
	}{
		{name: "deferred_length_is_400", method: http.MethodPost, url: "/v1/uploads", status: http.StatusBadRequest, detail: "Upload-Defer-Length",
			hdr: map[string]string{"Tus-Resumable": "1.0.0", "Upload-Defer-Length": "1", "Upload-Metadata": tusMeta("media_id", media)}},
		{name: "wrong_offset_is_409", method: http.MethodPatch, url: location, status: http.StatusConflict, detail: "Upload-Offset",
			hdr: map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "100", "Content-Type": "application/offset+octet-stream"}},
		{name: "missing_tus_version_is_412", method: http.MethodPost, url: "/v1/uploads", status: http.StatusPreconditionFailed,
			hdr: map[string]string{"Upload-Length": "10", "Upload-Metadata": tusMeta("media_id", media)}},
		{name: "wrong_content_type_is_400", method: http.MethodPatch, url: location, status: http.StatusBadRequest, detail: "Content-Type",
			hdr: map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "text/plain"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := problemOf(t, e.do(nil, tc.method, tc.url, authz, strings.NewReader("x"), tc.hdr), tc.status)
			if d, _ := p["detail"].(string); !strings.Contains(d, tc.detail) {
				t.Errorf("detail %q, want it to name %q", d, tc.detail)
			}
		})
	}
}

// TestChecksummedChunksAreCheckedBeforeTheyAreRead: a chunk at the wrong
// offset is refused before its body is read, and one upload spools one
// chunk at a time.
func TestChecksummedChunksAreCheckedBeforeTheyAreRead(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	e := newEnv(t, s, "", nil)
	uid, authz := e.user()
	media := e.catalog.newMedia(KindBook, "draft", uid)
	data := makePDF("spooled", 64<<10)
	resp := e.tusCreate(authz, media, len(data))
	expectStatus(t, resp, http.StatusCreated)
	location := resp.Header.Get("Location")
	client := &http.Client{Timeout: 5 * time.Second}

	// stalled sends a checksummed PATCH whose body never comes.
	stalled := func(offset int64) (*http.Request, *io.PipeWriter) {
		pr, pw := io.Pipe()
		req, err := http.NewRequest(http.MethodPatch, location, pr)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = 1000
		for k, v := range map[string]string{"Authorization": authz, "Tus-Resumable": "1.0.0", "Upload-Offset": itoa(offset),
			"Content-Type": "application/offset+octet-stream", "Upload-Checksum": "sha256 " + strings.Repeat("A", 43) + "="} {
			req.Header.Set(k, v)
		}
		return req, pw
	}

	t.Run("wrong_offset_is_409_unread", func(t *testing.T) {
		req, pw := stalled(4096)
		defer pw.Close()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("the server waited for the body of a chunk at the wrong offset: %v", err)
		}
		problemOf(t, resp, http.StatusConflict)
	})
	t.Run("second_chunk_of_one_upload_is_423", func(t *testing.T) {
		req, pw := stalled(0)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if resp, err := client.Do(req); err == nil {
				_ = resp.Body.Close()
			}
		}()
		id := location[strings.LastIndex(location, "/")+1:]
		eventually(t, "the first chunk is being spooled", func() bool { _, ok := e.svc.spooling.Load(id); return ok })
		problemOf(t, e.tusPatch(nil, authz, location, 0, data[:1000], true), http.StatusLocked)
		_ = pw.CloseWithError(io.ErrUnexpectedEOF)
		<-done
		eventually(t, "the spool slot is released", func() bool { _, ok := e.svc.spooling.Load(id); return !ok })
		expectStatus(t, e.tusPatch(nil, authz, location, 0, data, true), http.StatusNoContent)
	})
}

// TestDownloadNameFollowsTheDetectedType: the uploader's extension does
// not reach Content-Disposition; the base name does.
func TestDownloadNameFollowsTheDetectedType(t *testing.T) {
	t.Parallel()
	s := moduletest.Stores(t)[0]
	e := newEnv(t, s, "", nil)
	uid, authz := e.user()
	for _, tc := range []struct {
		name, filename, want string
		body                 []byte
	}{
		{name: "html_name_on_text_is_txt", filename: "evil.html", want: `inline; filename=evil.txt; filename*=UTF-8''evil.txt`, body: []byte("just text\n")},
		{name: "no_extension_gets_one", filename: "notes", want: `inline; filename=notes.txt; filename*=UTF-8''notes.txt`, body: []byte("just text\n")},
		{name: "true_extension_is_kept", filename: "Read Me.text", want: `inline; filename="Read Me.text"; filename*=UTF-8''Read%20Me.text`, body: []byte("text\n")},
		{name: "pdf_named_html_is_pdf", filename: "x.html", want: `inline; filename=x.pdf; filename*=UTF-8''x.pdf`, body: makePDF("named", 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			media := e.catalog.newMedia(KindDocument, "published", uid)
			put := e.do(nil, http.MethodPut, "/v1/media/"+media+"/content?filename="+url.QueryEscape(tc.filename), authz, bytes.NewReader(tc.body), nil)
			var view struct{ Filename string }
			if err := json.Unmarshal(expectStatus(t, put, http.StatusCreated), &view); err != nil {
				t.Fatal(err)
			}
			resp := e.do(nil, http.MethodGet, "/v1/media/"+media+"/content", "", nil, nil)
			expectStatus(t, resp, http.StatusOK)
			if got := resp.Header.Get("Content-Disposition"); got != tc.want {
				t.Errorf("Content-Disposition %q, want %q (stored name %q)", got, tc.want, view.Filename)
			}
		})
	}
}
