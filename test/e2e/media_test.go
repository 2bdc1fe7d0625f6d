package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
)

// TestUploadProcessPublishDownload uploads a PDF with tus in two requests
// (the second from a new connection), waits for processing, publishes the
// item, and downloads the file with a range and its derivatives.
func TestUploadProcessPublishDownload(t *testing.T) {
	if testing.Short() {
		t.Skip("media pipeline: skipped with -short")
	}
	t.Parallel()
	requireMediaTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, _, admin, tok := adminOnNewInstance(ctx, t)
	base := d.URL()
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Uploader"})
	must(t, err)
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "A paper", Kind: "document", Language: "en", AuthorIDs: []string{author.ID}})
	must(t, err)

	pdf := testfiles.PDF("A paper", "Hello from the end-to-end test", 1)
	bearer := "Bearer " + tok.AccessToken
	create := tusRequest(t, http.MethodPost, base+"/v1/uploads", map[string]string{
		"Authorization": bearer, "Upload-Length": strconv.Itoa(len(pdf)),
		"Upload-Metadata": "media_id " + b64(m.ID) + ",filename " + b64("../../etc/paper.pdf"),
	}, nil)
	if create.StatusCode != http.StatusCreated {
		t.Fatalf("tus create: %d %s", create.StatusCode, readAll(create))
	}
	loc := create.Header.Get("Location")
	if loc == "" {
		t.Fatal("tus create: no Location")
	}
	if loc[0] == '/' {
		loc = base + loc
	}
	half := len(pdf) / 2
	patch := tusRequest(t, http.MethodPatch, loc, map[string]string{"Authorization": bearer, "Upload-Offset": "0",
		"Content-Type": "application/offset+octet-stream"}, pdf[:half])
	if patch.StatusCode != http.StatusNoContent {
		t.Fatalf("first half: %d %s", patch.StatusCode, readAll(patch))
	}
	// Resume from a new client, as after a lost connection: ask the offset.
	fresh := &http.Client{Transport: &http.Transport{}}
	head := tusRequestWith(t, fresh, http.MethodHead, loc, map[string]string{"Authorization": bearer}, nil)
	if got := head.Header.Get("Upload-Offset"); got != strconv.Itoa(half) {
		t.Fatalf("offset after the first half: %q, want %d", got, half)
	}
	patch = tusRequestWith(t, fresh, http.MethodPatch, loc, map[string]string{"Authorization": bearer,
		"Upload-Offset": strconv.Itoa(half), "Content-Type": "application/offset+octet-stream"}, pdf[half:])
	if patch.StatusCode != http.StatusNoContent {
		t.Fatalf("second half: %d %s", patch.StatusCode, readAll(patch))
	}

	// The saga: processing → back to draft, with content and derivatives
	// (processing never publishes; a member does).
	var item map[string]any
	deadline := time.Now().Add(90 * time.Second)
	for {
		item = getJSON(t, base+"/v1/media/"+m.ID, bearer)
		if (item["status"] != "processing" && item["content"] != nil) || item["status"] == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if item["status"] != "draft" {
		t.Fatalf("after upload the item is %v (%v)", item["status"], item["status_reason"])
	}
	current, err := admin.GetMedia(ctx, m.ID)
	must(t, err)
	published := "published"
	_, err = admin.UpdateMedia(ctx, m.ID, client.MediaPatch{Status: &published}, current.ETag)
	must(t, err)
	content, _ := item["content"].(map[string]any)
	if content["content_type"] != "application/pdf" || content["pages"] != 1.0 {
		t.Fatalf("content %v", content)
	}
	kinds := map[string]string{}
	for _, x := range item["derivatives"].([]any) {
		dv := x.(map[string]any)
		kinds[dv["kind"].(string)] = dv["url"].(string)
	}
	if kinds["cover"] == "" || kinds["text"] == "" {
		t.Fatalf("derivatives %v", item["derivatives"])
	}

	// Published: anyone downloads, with ranges.
	resp := tusRequest(t, http.MethodGet, base+"/v1/media/"+m.ID+"/content", map[string]string{"Range": "bytes=0-4"}, nil)
	if body := readAll(resp); resp.StatusCode != http.StatusPartialContent || body != "%PDF-" {
		t.Fatalf("range request: %d %q", resp.StatusCode, body)
	}
	if resp.Header.Get("ETag") == "" || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("download headers %v", resp.Header)
	}
	full := tusRequest(t, http.MethodGet, base+"/v1/media/"+m.ID+"/content", nil, nil)
	if body := readAll(full); !bytes.Equal([]byte(body), pdf) {
		t.Fatalf("downloaded %d bytes, uploaded %d", len(body), len(pdf))
	}
	if cd := full.Header.Get("Content-Disposition"); cd == "" || bytes.ContainsAny([]byte(cd), "/\\") {
		t.Fatalf("the client's path-like file name leaks into Content-Disposition: %q", cd)
	}
	cover := tusRequest(t, http.MethodGet, base+kinds["cover"], nil, nil)
	if readAll(cover); cover.StatusCode != http.StatusOK || cover.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("cover: %d %s", cover.StatusCode, cover.Header.Get("Content-Type"))
	}
	text := tusRequest(t, http.MethodGet, base+kinds["text"], nil, nil)
	if body := readAll(text); !bytes.Contains([]byte(body), []byte("Hello from the end-to-end test")) {
		t.Fatalf("extracted text %q", body)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func tusRequest(t *testing.T, method, url string, headers map[string]string, body []byte) *http.Response {
	return tusRequestWith(t, http.DefaultClient, method, url, headers, body)
}

func tusRequestWith(t *testing.T, c *http.Client, method, url string, headers map[string]string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	must(t, err)
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	must(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func readAll(r *http.Response) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

func getJSON(t *testing.T, url, authz string) map[string]any {
	t.Helper()
	resp := doAuth(t, http.MethodGet, url, "", "", authz)
	if resp.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.status, resp.body)
	}
	var v map[string]any
	must(t, json.Unmarshal([]byte(resp.body), &v))
	return v
}

func mediaToolsPresent() bool {
	for _, tool := range []string{"ffmpeg", "pdfinfo", "pdftoppm", "pdftotext"} {
		if _, err := execLookPath(tool); err != nil {
			return false
		}
	}
	return true
}

func requireMediaTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "pdfinfo", "pdftoppm", "pdftotext"} {
		if _, err := execLookPath(tool); err != nil {
			if requireServers() {
				t.Fatalf("%s required (Debian packages ffmpeg, poppler-utils)", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
}
