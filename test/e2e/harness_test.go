package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/alexandria-platform/alexandria/internal/app/backends"
)

// binary is the alexandria binary built once for the whole package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "alexandria-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "alexandria")
	// The crash test's probe opens NATS and Kafka in-process.
	if err := backends.Register(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-o", binary, "github.com/alexandria-platform/alexandria/cmd/alexandria")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build alexandria:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// process is one running alexandria binary.
type process struct {
	t   *testing.T
	cmd *exec.Cmd
	URL string
	// OpsURL is the operations listener (/metrics), never the public port.
	OpsURL string
	mu     sync.Mutex
	stdout strings.Builder
	done   chan error
	// logPath is the file of the process's log (its standard error).
	logPath string
}

// Log returns what the process logged so far.
func (p *process) Log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

var (
	runningAt = regexp.MustCompile(`running at (http://\S+)`)
	opsAt     = regexp.MustCompile(`Operations endpoints .* at (http://\S+)`)
)

// start runs `alexandria serve` with env (on top of a clean environment) and
// waits until it reports ready. Unless env names one, the process gets an
// operations listener on a free loopback port (p.OpsURL).
func start(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"ALEXANDRIA_HTTP_OPS_ADDR=127.0.0.1:0"}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(t.TempDir(), "alexandria.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, cmd: cmd, done: make(chan error, 1), logPath: logFile.Name()}
	urls := make(chan string, 1)
	opsURLs := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stdout.WriteString(line + "\n")
			p.mu.Unlock()
			if m := opsAt.FindStringSubmatch(line); m != nil {
				select {
				case opsURLs <- m[1]:
				default:
				}
			}
			if m := runningAt.FindStringSubmatch(line); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("server log:\n%s", tail(string(b), 60))
		}
	})
	select {
	case u := <-urls:
		p.URL = u
		// The operations line comes first when there is a listener.
		select {
		case p.OpsURL = <-opsURLs:
		default:
		}
	case err := <-p.done:
		b, _ := os.ReadFile(logFile.Name())
		t.Fatalf("alexandria exited before serving: %v\n%s\n%s", err, p.Stdout(), b)
	case <-time.After(60 * time.Second):
		t.Fatal("alexandria did not start within 60s")
	}
	waitReady(t, p.URL)
	return p
}

// Stdout returns what the process printed for the operator so far.
func (p *process) Stdout() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdout.String()
}

// kill ends the process with SIGKILL, as a crash or OOM kill would.
func (p *process) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Kill()
	err := <-p.done
	p.done <- err
}

// stop sends SIGTERM and waits for a clean exit.
func (p *process) stop() {
	if p.cmd.ProcessState != nil {
		return // already exited (or killed)
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	began := time.Now()
	defer func() {
		if took := time.Since(began); took > 5*time.Second {
			p.t.Logf("alexandria took %v to stop after SIGTERM", took)
		}
	}()
	select {
	case err := <-p.done:
		if err != nil {
			p.t.Errorf("alexandria exited with %v after SIGTERM", err)
		}
		p.done <- err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		p.t.Error("alexandria did not stop within 30s of SIGTERM")
	}
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s/readyz never answered 200", base)
}

func tail(s string, lines int) string {
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

func postgresURL() string {
	if u := os.Getenv("TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// freshPostgresDatabase creates a throwaway database and returns its URL,
// or skips when PostgreSQL is absent (fails under TEST_REQUIRE_SERVERS=1).
func freshPostgresDatabase(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", postgresURL())
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		if os.Getenv("TEST_REQUIRE_SERVERS") == "1" {
			t.Fatalf("PostgreSQL required but unavailable: %v", err)
		}
		t.Skipf("PostgreSQL unavailable: %v", err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "e2e_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_ = admin.Close()
	})
	u, err := url.Parse(postgresURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func requireServers() bool { return os.Getenv("TEST_REQUIRE_SERVERS") == "1" }

func execLookPath(name string) (string, error) { return exec.LookPath(name) }
