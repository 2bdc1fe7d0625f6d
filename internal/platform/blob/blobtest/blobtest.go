// Package blobtest gives tests a fresh bucket on each object store the
// platform supports, each a real protocol peer on 127.0.0.1: a local
// directory, S3 on MinIO (built by package peers), Google Cloud Storage on
// fake-gcs-server (in process) and Azure Blob Storage on Azurite (npm,
// installed by package peers). A peer starts on first use and lives for
// the test binary; each call creates its own bucket. When a peer cannot
// run here the test is skipped, or fails under TEST_REQUIRE_SERVERS=1.
//
// The stores' openers read credentials and emulator addresses from the
// environment once, so the package sets them process-wide before the first
// bucket of that store is opened; call Register first (it links the
// openers, as the binary does).
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/alexandria-platform/alexandria/internal/platform/peers"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// Store is one object store a suite runs against.
type Store struct {
	Name string
	// Bucket returns the blob URL of a new, empty bucket (skipping the
	// test when the peer cannot run).
	Bucket func(t testing.TB) string
}

// Stores lists the local directory and the three cloud stores.
var Stores = []Store{
	{"file", Local},
	{"s3-minio", MinIO},
	{"gcs-fake", GCS},
	{"azure-azurite", Azurite},
}

// Local is a fresh directory as a file:// URL.
func Local(t testing.TB) string {
	t.Helper()
	return "file://" + filepath.ToSlash(t.TempDir()) + "?metadata=skip&no_tmp_dir=true"
}

func unavailable(t testing.TB, peer string, err error) {
	t.Helper()
	if os.Getenv("TEST_REQUIRE_SERVERS") == "1" {
		t.Fatalf("%s required but unavailable: %v", peer, err)
	}
	t.Skipf("%s unavailable: %v", peer, err)
}

func name() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "t-" + hex.EncodeToString(b[:])
}

// --- S3 on MinIO ---

const (
	minioUser     = "alexandria-test"
	minioPassword = "alexandria-test-secret"
)

// running are the peer processes and data directories Stop ends.
var running struct {
	sync.Mutex
	procs []*exec.Cmd
	dirs  []string
}

func started(cmd *exec.Cmd, dir string) {
	running.Lock()
	defer running.Unlock()
	running.procs = append(running.procs, cmd)
	running.dirs = append(running.dirs, dir)
}

// Stop ends the peers this test binary started and removes their data;
// call it from TestMain after m.Run. (They are also killed if the test
// binary dies: Pdeathsig.)
func Stop() {
	running.Lock()
	defer running.Unlock()
	for _, c := range running.procs {
		_ = c.Process.Kill()
	}
	for _, d := range running.dirs {
		_ = os.RemoveAll(d)
	}
	running.procs, running.dirs = nil, nil
	if gcs.http != nil {
		gcs.http.Close()
	}
}

var minio struct {
	once     sync.Once
	endpoint string
	err      error
}

func startMinIO() {
	bin, err := peers.Binary(peers.MinIO)
	if err != nil {
		minio.err = err
		return
	}
	dir, err := os.MkdirTemp("", "blobtest-minio-")
	if err != nil {
		minio.err = err
		return
	}
	port, err := testkit.FreePort()
	if err != nil {
		minio.err = err
		return
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.CommandContext(context.Background(), bin, "server", "--quiet", "--address", addr, "--console-address", "127.0.0.1:0", dir) //nolint:gosec // the peer we built
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+minioUser, "MINIO_ROOT_PASSWORD="+minioPassword,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	// Its own process group, with the test binary as parent: it dies with
	// the suite (Pdeathsig) and its data directory goes with the machine's
	// temp cleaning.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		minio.err = err
		return
	}
	started(cmd, dir)
	endpoint := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(endpoint + "/minio/health/live") //nolint:gosec,noctx // our own loopback peer
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			minio.err = errors.New("minio did not become live within 60s")
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	_ = os.Setenv("AWS_ACCESS_KEY_ID", minioUser)
	_ = os.Setenv("AWS_SECRET_ACCESS_KEY", minioPassword)
	_ = os.Setenv("AWS_REGION", "us-east-1")
	minio.endpoint = endpoint
}

// MinIO creates a bucket on the MinIO peer and returns its s3:// URL.
func MinIO(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("MinIO suites: skipped with -short")
	}
	minio.once.Do(startMinIO)
	if minio.endpoint == "" {
		unavailable(t, "MinIO (built from tools/minio)", minio.err)
	}
	bucket := name()
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(minio.endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(minioUser, minioPassword, ""),
	})
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return "s3://" + bucket + "?endpoint=" + minio.endpoint + "&use_path_style=true&region=us-east-1"
}

// MinIOEndpoint is the running MinIO's address ("" before MinIO is used).
func MinIOEndpoint() string { return minio.endpoint }

// --- GCS on fake-gcs-server ---

var gcs struct {
	once   sync.Once
	server *fakestorage.Server
	http   *httptest.Server
	err    error
}

// GCS creates a bucket on an in-process fake-gcs-server and returns its
// gs:// URL. gocloud's GCS opener talks to it through
// STORAGE_EMULATOR_HOST, without credentials.
func GCS(t testing.TB) string {
	t.Helper()
	gcs.once.Do(func() {
		l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
		if err != nil {
			gcs.err = err
			return
		}
		// The storage client downloads from http://HOST/BUCKET/KEY, which
		// fake-gcs-server serves only for its public host: this one.
		gcs.server, gcs.err = fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1",
			NoListener: true, PublicHost: l.Addr().String()})
		if gcs.err != nil {
			_ = l.Close()
			return
		}
		gcs.http = httptest.NewUnstartedServer(gcs.server.HTTPHandler())
		_ = gcs.http.Listener.Close()
		gcs.http.Listener = l
		gcs.http.Start()
		_ = os.Setenv("STORAGE_EMULATOR_HOST", l.Addr().String())
	})
	if gcs.err != nil {
		unavailable(t, "fake-gcs-server", gcs.err)
	}
	bucket := name()
	gcs.server.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
	return "gs://" + bucket
}

// --- Azure Blob Storage on Azurite ---

// Azurite's well-known development account (public, documented by
// Microsoft for the emulator).
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

var azurite struct {
	once sync.Once
	host string // 127.0.0.1:PORT
	err  error
}

func startAzurite() {
	node, err := exec.LookPath("node")
	if err != nil {
		azurite.err = fmt.Errorf("no node: %w", err)
		return
	}
	dir, err := peers.Install(peers.Azurite)
	if err != nil {
		azurite.err = err
		return
	}
	data, err := os.MkdirTemp("", "blobtest-azurite-")
	if err != nil {
		azurite.err = err
		return
	}
	port, err := testkit.FreePort()
	if err != nil {
		azurite.err = err
		return
	}
	main := filepath.Join(dir, "node_modules", "azurite", "dist", "src", "blob", "main.js")
	cmd := exec.CommandContext(context.Background(), node, main, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port), //nolint:gosec // the peer we installed
		"--location", data, "--skipApiVersionCheck", "--disableProductStyleUrl", "--silent")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		azurite.err = err
		return
	}
	started(cmd, data)
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if c, err := (&net.Dialer{Timeout: time.Second}).DialContext(context.Background(), "tcp", addr); err == nil {
			_ = c.Close()
			break
		}
		select {
		case <-exited:
			azurite.err = fmt.Errorf("azurite exited: %s", logs.String())
			return
		default:
		}
		if time.Now().After(deadline) {
			azurite.err = errors.New("azurite did not listen within 60s")
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	_ = os.Setenv("AZURE_STORAGE_ACCOUNT", azuriteAccount)
	_ = os.Setenv("AZURE_STORAGE_KEY", azuriteKey)
	azurite.host = fmt.Sprintf("127.0.0.1:%d", port)
}

// Azurite creates a container on the Azurite peer and returns its
// azblob:// URL.
func Azurite(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("Azurite suites: skipped with -short")
	}
	azurite.once.Do(startAzurite)
	if azurite.host == "" {
		unavailable(t, "Azurite (npm, installed by make peers)", azurite.err)
	}
	cred, err := azblob.NewSharedKeyCredential(azuriteAccount, azuriteKey)
	if err != nil {
		t.Fatal(err)
	}
	client, err := azblob.NewClientWithSharedKeyCredential("http://"+azurite.host+"/"+azuriteAccount, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	container := name()
	if _, err := client.CreateContainer(context.Background(), container, nil); err != nil {
		t.Fatalf("create container: %v", err)
	}
	return "azblob://" + container + "?protocol=http&domain=" + azurite.host + "&localemu=true"
}
