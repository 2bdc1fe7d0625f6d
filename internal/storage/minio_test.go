package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alexandria-platform/alexandria/internal/platform/peers"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// A MinIO server, built once into the peers cache (package peers), is
// started on first use per test binary on a free loopback port with a
// temporary directory; each test gets its own bucket. -short skips the
// MinIO suites. The gocloud S3 opener reads its credentials from the
// environment, set once before MinIO is used (no test has run yet that
// reads them).

const (
	minioUser     = "alexandria-test"
	minioPassword = "alexandria-test-secret"
)

var (
	minioOnce     sync.Once
	minioStop     = func() {}
	minioEndpoint string // http://127.0.0.1:PORT, "" when unavailable
	minioErr      error
)

// stopMinio stops the server if a test started it.
func stopMinio() { minioStop() }

// startMinio starts the server and returns a function that stops it.
func startMinio() func() {
	bin, err := peers.Binary(peers.MinIO)
	if err != nil {
		minioErr = err
		return func() {}
	}
	dir, err := os.MkdirTemp("", "storage-minio-")
	if err != nil {
		minioErr = err
		return func() {}
	}
	port, err := testkit.FreePort()
	if err != nil {
		minioErr = err
		return func() {}
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "server", "--quiet", "--address", addr, "--console-address", "127.0.0.1:0", dir) //nolint:gosec // the test's own binary
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+minioUser, "MINIO_ROOT_PASSWORD="+minioPassword,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	if err := cmd.Start(); err != nil {
		minioErr = err
		return func() { _ = os.RemoveAll(dir) }
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = os.RemoveAll(dir)
	}
	endpoint := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(endpoint + "/minio/health/live")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			minioErr = errors.New("minio did not become live within 60s")
			return stop
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Process-wide, before any test runs (t.Setenv is not parallel-safe).
	_ = os.Setenv("AWS_ACCESS_KEY_ID", minioUser)
	_ = os.Setenv("AWS_SECRET_ACCESS_KEY", minioPassword)
	_ = os.Setenv("AWS_REGION", "us-east-1")
	minioEndpoint = endpoint
	return stop
}

// minioBucket creates a fresh bucket and returns its blob URL; it skips
// the test (fails it under TEST_REQUIRE_SERVERS=1) when MinIO is missing.
func minioBucket(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("MinIO suites: skipped with -short")
	}
	minioOnce.Do(func() { minioStop = startMinio() })
	if minioEndpoint == "" {
		requireOrSkip(t, "MinIO (built from tools/minio)", minioErr)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "t-" + hex.EncodeToString(b[:])
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(minioEndpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(minioUser, minioPassword, ""),
	})
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	t.Cleanup(func() {
		out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
		if err == nil {
			for _, o := range out.Contents {
				_, _ = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: o.Key})
			}
		}
		_, _ = client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)})
	})
	return "s3://" + name + "?endpoint=" + minioEndpoint + "&use_path_style=true&region=us-east-1"
}

// backend is a blob store a suite runs against.
type backend struct {
	name string
	url  func(t *testing.T) string
}

// backends are the local directory and MinIO.
var backends = []backend{
	{"local", func(*testing.T) string { return "" }},
	{"minio", minioBucket},
}
