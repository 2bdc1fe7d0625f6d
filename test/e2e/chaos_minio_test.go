package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/platform/peers"
	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// TestChaosObjectStoreDown runs the binary with its blob store and its tus
// uploads on a private MinIO and takes MinIO away (SIGKILL) while several
// multi-chunk tus uploads are half done, one of them with a chunk in
// flight. During the outage every upload request (PATCH, HEAD, a new tus
// upload, a one-request PUT) is answered 503 problem+json with
// Retry-After, never a 500 and never a 2xx, and /readyz says the object
// store is unreachable. MinIO then returns on the same data directory and
// each upload resumes from the offset HEAD reports: every file ends up
// complete and byte-identical, stored once, nothing is left in the tus area
// of the bucket and the refused one-request upload stored nothing.
func TestChaosObjectStoreDown(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test: skipped with -short")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	mc := startPrivateMinio(t)
	blobURL := mc.bucket(t, "chaos")
	p := start(t, append([]string{
		"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ALEXANDRIA_BLOB_URL=" + blobURL,
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword,
		"ALEXANDRIA_LOG_FORMAT=json",
	}, mc.env()...))
	anon := client.New(p.URL, nil)
	admin := signIn(ctx, t, anon, adminEmail, adminPassword)
	bearer := "Bearer " + adminToken(ctx, t, anon)
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Chaos: object store"})
	must(t, err)
	newItem := func(title string) string {
		m, err := admin.CreateMedia(ctx, client.MediaInput{Title: title, Kind: "document", Language: "en", AuthorIDs: []string{author.ID}})
		must(t, err)
		return m.ID
	}

	// Three uploads of about 1.5 MB, sent in chunks of 400 kB.
	const uploads, chunk = 3, 400_000
	type tusUpload struct {
		media, path string
		data        []byte
	}
	ups := make([]*tusUpload, uploads)
	for i := range ups {
		title := fmt.Sprintf("Uploaded through an outage %d", i)
		u := &tusUpload{media: newItem(title), data: testfiles.PaddedPDF(title, "chaos", 1_500_000+i*1000)}
		create := tusRequest(t, http.MethodPost, p.URL+"/v1/uploads", map[string]string{
			"Authorization": bearer, "Upload-Length": strconv.Itoa(len(u.data)),
			"Upload-Metadata": "media_id " + b64(u.media) + ",filename " + b64(fmt.Sprintf("outage-%d.pdf", i)),
		}, nil)
		if create.StatusCode != http.StatusCreated {
			t.Fatalf("tus create %d: %d %s", i, create.StatusCode, readAll(create))
		}
		loc := create.Header.Get("Location")
		u.path = loc[strings.Index(loc, "/v1/uploads/"):]
		ups[i] = u
	}
	patch := func(u *tusUpload, from, to int) *http.Response {
		t.Helper()
		return tusRequestWith(t, &http.Client{Transport: &http.Transport{}, Timeout: time.Minute}, http.MethodPatch, p.URL+u.path,
			map[string]string{"Authorization": bearer, "Upload-Offset": strconv.Itoa(from),
				"Content-Type": "application/offset+octet-stream"}, u.data[from:to])
	}
	for i, u := range ups {
		if resp := patch(u, 0, chunk); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("first chunk of upload %d: %d %s", i, resp.StatusCode, readAll(resp))
		}
	}
	// The item for the one-request upload tried during the outage.
	single := newItem("Sent in one request during the outage")
	singlePDF := testfiles.PDF("Sent in one request during the outage", "chaos", 1)

	// A chunk in flight when MinIO goes: half of it is sent, MinIO is
	// killed, then the rest follows.
	pr, pw := io.Pipe()
	inflight := ups[0].data[chunk : 2*chunk]
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, p.URL+ups[0].path, pr)
	must(t, err)
	req.ContentLength = int64(len(inflight))
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Authorization", bearer)
	req.Header.Set("Upload-Offset", strconv.Itoa(chunk))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	type result struct {
		resp *http.Response
		body string
		err  error
	}
	answered := make(chan result, 1)
	go func() {
		resp, err := (&http.Client{Transport: &http.Transport{}, Timeout: 2 * time.Minute}).Do(req)
		if err != nil {
			answered <- result{err: err}
			return
		}
		answered <- result{resp: resp, body: readAll(resp)}
		_ = resp.Body.Close()
	}()
	_, err = pw.Write(inflight[:len(inflight)/2])
	must(t, err)

	mc.kill()
	killed := time.Now()
	_, err = pw.Write(inflight[len(inflight)/2:])
	must(t, err)
	must(t, pw.Close())

	var bad []string
	statuses := map[string]int{}
	check := func(what string, status int, header http.Header, body string) {
		statuses[what+" "+strconv.Itoa(status)]++
		var prob struct {
			Status int `json:"status"`
		}
		ok := status == http.StatusServiceUnavailable && header.Get("Retry-After") != ""
		if what != "HEAD" {
			ok = ok && strings.HasPrefix(header.Get("Content-Type"), "application/problem+json") &&
				json.Unmarshal([]byte(body), &prob) == nil && prob.Status == http.StatusServiceUnavailable
		}
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: %d %q Retry-After %q: %s", what, status, header.Get("Content-Type"),
				header.Get("Retry-After"), clip([]byte(body))))
		}
	}
	if r := <-answered; r.err != nil {
		statuses["PATCH in flight: no answer"]++
		bad = append(bad, "PATCH in flight: no answer: "+r.err.Error())
	} else {
		check("PATCH in flight", r.resp.StatusCode, r.resp.Header, r.body)
	}

	// During the outage: the next chunk of each upload, a HEAD, a new tus
	// upload and a one-request upload.
	for _, u := range ups[1:] {
		resp := patch(u, chunk, 2*chunk)
		check("PATCH", resp.StatusCode, resp.Header, readAll(resp))
	}
	head := tusRequest(t, http.MethodHead, p.URL+ups[2].path, map[string]string{"Authorization": bearer}, nil)
	check("HEAD", head.StatusCode, head.Header, "")
	create := tusRequest(t, http.MethodPost, p.URL+"/v1/uploads", map[string]string{
		"Authorization": bearer, "Upload-Length": strconv.Itoa(len(singlePDF)),
		"Upload-Metadata": "media_id " + b64(single) + ",filename " + b64("new-during-outage.pdf"),
	}, nil)
	check("POST", create.StatusCode, create.Header, readAll(create))
	put := tusRequest(t, http.MethodPut, p.URL+"/v1/media/"+single+"/content", map[string]string{
		"Authorization": bearer, "Content-Type": "application/pdf"}, singlePDF)
	check("PUT", put.StatusCode, put.Header, readAll(put))
	var readiness string
	waitFor(t, "/readyz reports the object store down", time.Minute, func() bool {
		resp, err := shortClient.Get(p.URL + "/readyz")
		if err != nil {
			return false
		}
		readiness = readAll(resp)
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(readiness, "object store")
	})
	notReady := time.Since(killed)
	if len(bad) > 0 {
		t.Errorf("requests during the outage not answered 503 problem with Retry-After (%v):\n%s", statuses, strings.Join(bad, "\n"))
	}

	// MinIO returns on the same data directory; the same process recovers.
	mc.start()
	waitFor(t, "/readyz is back after MinIO returns", time.Minute, func() bool { return readyz(p.URL) == http.StatusOK })
	recovered := time.Since(killed)

	// Each upload resumes from the offset HEAD reports.
	offsets := make([]string, len(ups))
	for i, u := range ups {
		head := tusRequest(t, http.MethodHead, p.URL+u.path, map[string]string{"Authorization": bearer}, nil)
		if head.StatusCode != http.StatusOK {
			t.Fatalf("HEAD of upload %d after the outage: %d", i, head.StatusCode)
		}
		off, err := strconv.Atoi(head.Header.Get("Upload-Offset"))
		if err != nil || off < chunk || off > 2*chunk || (off != chunk && off != 2*chunk) {
			t.Fatalf("upload %d: offset %q after the outage, want %d (or %d if the chunk in flight was kept)",
				i, head.Header.Get("Upload-Offset"), chunk, 2*chunk)
		}
		offsets[i] = strconv.Itoa(off)
		for off < len(u.data) {
			to := min(off+chunk, len(u.data))
			if resp := patch(u, off, to); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("upload %d: PATCH %d-%d after the outage: %d %s", i, off, to, resp.StatusCode, readAll(resp))
			}
			off = to
		}
	}

	// Every file complete and byte-identical, stored once; nothing left
	// half-written.
	lost, duplicated := 0, 0
	want := map[string]bool{}
	for i, u := range ups {
		sum := sha256.Sum256(u.data)
		want["content/"+hex.EncodeToString(sum[:1])+"/"+hex.EncodeToString(sum[:])] = true
		resp := tusRequest(t, http.MethodGet, p.URL+"/v1/media/"+u.media+"/content", map[string]string{"Authorization": bearer}, nil)
		got := []byte(readAll(resp))
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, u.data) {
			lost++
			gotSum := sha256.Sum256(got)
			t.Errorf("upload %d: download %d, %d bytes sha256 %x; uploaded %d bytes sha256 %x", i, resp.StatusCode,
				len(got), gotSum, len(u.data), sum)
		}
		// Catalog records the content when storage's event reaches it.
		hasContent := false
		for deadline := time.Now().Add(time.Minute); !hasContent && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			hasContent = getJSON(t, p.URL+"/v1/media/"+u.media, bearer)["content"] != nil
		}
		if !hasContent {
			t.Errorf("upload %d: the item has no content a minute after the upload finished", i)
		}
	}
	keys := mc.keys(t, "chaos", "")
	var content, leftovers []string
	for _, k := range keys {
		switch {
		case strings.HasPrefix(k, "content/"):
			content = append(content, k)
			if !want[k] {
				t.Errorf("unexpected object %s (the refused one-request upload, or a partial file)", k)
			}
		case strings.HasPrefix(k, "uploads/tus/"):
			leftovers = append(leftovers, k)
		}
	}
	if len(content) > len(want) {
		duplicated = len(content) - len(want)
	}
	if len(leftovers) > 0 {
		t.Errorf("tus objects left in the bucket after every upload finished: %v", leftovers)
	}
	if item := getJSON(t, p.URL+"/v1/media/"+single, bearer); item["content"] != nil {
		t.Errorf("the one-request upload refused during the outage left the item with content %v", item["content"])
	}
	t.Logf("MinIO killed with %d tus uploads half done: requests during the outage %v; /readyz 503 after %v (%s); "+
		"recovered %v after the kill; resumed from offsets %v; %d files complete, lost %d, duplicated %d, "+
		"content objects %d, tus objects left %d",
		len(ups), statuses, notReady.Round(time.Millisecond), strings.TrimSpace(readiness), recovered.Round(time.Millisecond),
		offsets, len(ups)-lost, lost, duplicated, len(content), len(leftovers))
}

// privateMinio is a MinIO server of the test's own (built by `make peers`),
// on a free port with its own data directory, that the test may kill and
// start again on the same directory.
type privateMinio struct {
	t    *testing.T
	bin  string
	dir  string
	addr string
	cmd  *exec.Cmd
	done chan struct{}
}

func startPrivateMinio(t *testing.T) *privateMinio {
	t.Helper()
	bin, err := peers.Binary(peers.MinIO)
	if err != nil {
		testkit.SkipOrFail(t, "the MinIO peer (make peers)", err)
	}
	port, err := testkit.FreePort()
	must(t, err)
	m := &privateMinio{t: t, bin: bin, dir: t.TempDir(), addr: fmt.Sprintf("127.0.0.1:%d", port)}
	m.start()
	t.Cleanup(m.kill)
	return m
}

// start runs MinIO and waits until it is live.
func (m *privateMinio) start() {
	m.t.Helper()
	cmd := exec.Command(m.bin, "server", "--quiet", "--address", m.addr, "--console-address", "127.0.0.1:0", m.dir) //nolint:gosec // the test's own binary
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+e2eMinioUser, "MINIO_ROOT_PASSWORD="+e2eMinioPassword,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	must(m.t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	m.cmd, m.done = cmd, done
	waitFor(m.t, "MinIO is live", time.Minute, func() bool {
		resp, err := shortClient.Get(m.endpoint() + "/minio/health/live")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// kill ends MinIO with SIGKILL, as a crash or an OOM kill would.
func (m *privateMinio) kill() {
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Kill()
	<-m.done
	m.cmd = nil
}

func (m *privateMinio) endpoint() string { return "http://" + m.addr }

// env is what the alexandria process needs to reach MinIO.
func (m *privateMinio) env() []string {
	return []string{"AWS_ACCESS_KEY_ID=" + e2eMinioUser, "AWS_SECRET_ACCESS_KEY=" + e2eMinioPassword, "AWS_REGION=us-east-1"}
}

// bucket creates a bucket and returns its blob URL.
func (m *privateMinio) bucket(t *testing.T, name string) string {
	t.Helper()
	_, err := s3Client(m.endpoint()).CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)})
	must(t, err)
	return "s3://" + name + "?endpoint=" + m.endpoint() + "&use_path_style=true&region=us-east-1"
}

// keys lists every key under prefix in a bucket.
func (m *privateMinio) keys(t *testing.T, bucket, prefix string) []string {
	t.Helper()
	var keys []string
	pages := s3.NewListObjectsV2Paginator(s3Client(m.endpoint()), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(t.Context())
		must(t, err)
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// waitFor polls cond until it holds, failing the test after limit (longer
// than testkit.Patience: servers start slowly on a loaded machine).
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
	}
}
