package e2e

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alexandria-platform/alexandria/client"
	"github.com/alexandria-platform/alexandria/internal/platform/testfiles"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// TestTusResumesOnAnotherStorageReplica runs storage twice (the all-in-one
// process and a second `serve -target=storage`) on one PostgreSQL, one NATS
// and one MinIO bucket: an upload started on one replica is resumed and
// finished on the other, and the file downloads byte for byte from both.
func TestTusResumesOnAnotherStorageReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("storage replicas on MinIO: skipped with -short")
	}
	t.Parallel()
	blobURL, creds := minioBucketE2E(t)
	nats := startNATS(t)
	common := append([]string{
		"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0",
		"ALEXANDRIA_DATABASE_URL=" + freshPostgresDatabase(t), "ALEXANDRIA_BUS_URL=" + nats.url,
		"ALEXANDRIA_BLOB_URL=" + blobURL, "ALEXANDRIA_SERVICE_KEY=replica-test-service-key",
		"ALEXANDRIA_ADMIN_EMAIL=" + adminEmail, "ALEXANDRIA_ADMIN_PASSWORD=" + adminPassword, "ALEXANDRIA_LOG_FORMAT=json",
	}, creds...)
	a := start(t, append(append([]string{}, common...), "ALEXANDRIA_DATA_DIR="+filepath.Join(t.TempDir(), "a")))
	b := start(t, append(append([]string{}, common...), "ALEXANDRIA_DATA_DIR="+filepath.Join(t.TempDir(), "b"),
		"ALEXANDRIA_IDENTITY_URL="+a.URL, "ALEXANDRIA_STORAGE_CATALOG_URL="+a.URL), "-target=storage")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	anon := client.New(a.URL, nil)
	tok, err := anon.Login(ctx, adminEmail, adminPassword)
	must(t, err)
	admin := anon.WithToken(tok.AccessToken)
	author, err := admin.CreateAuthor(ctx, client.AuthorInput{Name: "Replicas"})
	must(t, err)
	m, err := admin.CreateMedia(ctx, client.MediaInput{Title: "Across replicas", Kind: "document", Language: "en",
		AuthorIDs: []string{author.ID}})
	must(t, err)
	bearer := "Bearer " + tok.AccessToken
	// Three chunks larger than a single S3 write buffer, so that the
	// upload spans several objects.
	pdf := testfiles.PDF("Across replicas", strings.Repeat("Resumed elsewhere. ", 200_000), 1)

	create := tusRequest(t, http.MethodPost, a.URL+"/v1/uploads", map[string]string{
		"Authorization": bearer, "Upload-Length": strconv.Itoa(len(pdf)),
		"Upload-Metadata": "media_id " + b64(m.ID) + ",filename " + b64("replicas.pdf"),
	}, nil)
	if create.StatusCode != http.StatusCreated {
		t.Fatalf("tus create on A: %d %s", create.StatusCode, readAll(create))
	}
	loc := create.Header.Get("Location")
	path := loc[strings.Index(loc, "/v1/uploads/"):]
	third := len(pdf) / 3
	patch := func(base string, from, to int) {
		t.Helper()
		resp := tusRequestWith(t, &http.Client{Transport: &http.Transport{}}, http.MethodPatch, base+path,
			map[string]string{"Authorization": bearer, "Upload-Offset": strconv.Itoa(from),
				"Content-Type": "application/offset+octet-stream"}, pdf[from:to])
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("PATCH %d-%d on %s: %d %s", from, to, base, resp.StatusCode, readAll(resp))
		}
	}
	offset := func(base string) string {
		resp := tusRequest(t, http.MethodHead, base+path, map[string]string{"Authorization": bearer}, nil)
		return resp.Header.Get("Upload-Offset")
	}
	patch(a.URL, 0, third)
	// Replica B knows the upload A started, and takes the next chunk.
	if got := offset(b.URL); got != strconv.Itoa(third) {
		t.Fatalf("offset on B after A's chunk: %q, want %d", got, third)
	}
	patch(b.URL, third, 2*third)
	if got := offset(a.URL); got != strconv.Itoa(2*third) {
		t.Fatalf("offset on A after B's chunk: %q, want %d", got, 2*third)
	}
	// A stale offset is refused on either replica.
	stale := tusRequest(t, http.MethodPatch, a.URL+path, map[string]string{"Authorization": bearer, "Upload-Offset": "0",
		"Content-Type": "application/offset+octet-stream"}, pdf[:10])
	if stale.StatusCode != http.StatusConflict {
		t.Fatalf("stale offset on A: %d, want 409", stale.StatusCode)
	}
	// B finishes it: checked, hashed and stored before the answer.
	patch(b.URL, 2*third, len(pdf))

	for name, base := range map[string]string{"A": a.URL, "B": b.URL} {
		var body []byte
		testkit.Eventually(t, "the file downloads from "+name, func() bool {
			resp := tusRequest(t, http.MethodGet, base+"/v1/media/"+m.ID+"/content", map[string]string{"Authorization": bearer}, nil)
			body = []byte(readAll(resp))
			return resp.StatusCode == http.StatusOK
		})
		if !bytes.Equal(body, pdf) {
			t.Fatalf("downloaded %d bytes from %s, uploaded %d", len(body), name, len(pdf))
		}
	}
	// Processing took the file from the shared bucket.
	var status any
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		item := getJSON(t, a.URL+"/v1/media/"+m.ID, bearer)
		if status = item["status"]; status != "processing" && item["content"] != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if mediaToolsPresent() && status != "draft" {
		t.Fatalf("after the upload the item is %v", status)
	}
	// Nothing of the upload is left in the bucket's tus area.
	if left := bucketKeys(t, blobURL, "uploads/tus/"); len(left) != 0 {
		t.Fatalf("tus objects left after the upload finished: %v", left)
	}
}

// MinIO, built by `make peers`, on a free port with its own directory.
const (
	e2eMinioUser     = "alexandria-e2e"
	e2eMinioPassword = "alexandria-e2e-secret"
)

// minioBucketE2E starts MinIO for the test and makes a bucket; it returns
// the blob URL and the environment the processes need to reach it.
func minioBucketE2E(t *testing.T) (string, []string) {
	t.Helper()
	m := startPrivateMinio(t)
	return m.bucket(t, "replicas-"+strconv.FormatInt(time.Now().UnixNano(), 36)), m.env()
}

func s3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(endpoint), Region: "us-east-1", UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(e2eMinioUser, e2eMinioPassword, ""),
	})
}

// bucketKeys lists the keys under prefix in the blob URL's bucket.
func bucketKeys(t *testing.T, blobURL, prefix string) []string {
	t.Helper()
	name := strings.TrimPrefix(blobURL[:strings.Index(blobURL, "?")], "s3://")
	endpoint := blobURL[strings.Index(blobURL, "endpoint=")+len("endpoint="):]
	endpoint = endpoint[:strings.Index(endpoint, "&")]
	out, err := s3Client(endpoint).ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(name), Prefix: aws.String(prefix)})
	must(t, err)
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}
