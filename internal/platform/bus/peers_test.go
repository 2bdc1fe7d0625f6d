package bus_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
	"github.com/alexandria-platform/alexandria/internal/platform/testkit"
)

// openURL returns a bustest open function for a bus URL; a transport that
// cannot connect skips the test (or fails it under TEST_REQUIRE_SERVERS=1).
func openURL(rawURL string) func(t *testing.T) bus.Transport {
	return func(t *testing.T) bus.Transport {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		o := bus.Options{DataDir: t.TempDir()}
		if os.Getenv("BUS_TEST_LOG") != "" { // debugging a transport
			o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
		tr, err := bus.Open(ctx, rawURL, o)
		if err != nil {
			bustest.Unreachable(t, rawURL, err)
		}
		return tr
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	port, err := testkit.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// process is a private server the test starts, restarts and stops.
type process struct {
	t    *testing.T
	name string
	args []string
	addr string
	cmd  *exec.Cmd
}

// startProcess runs bin with args until the test ends and waits until addr
// accepts connections.
func startProcess(t *testing.T, bin, addr string, args ...string) *process {
	t.Helper()
	p := &process{t: t, name: bin, args: args, addr: addr}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *process) start() {
	p.t.Helper()
	log, err := os.Create(filepath.Join(p.t.TempDir(), filepath.Base(p.name)+".log"))
	if err != nil {
		p.t.Fatal(err)
	}
	p.cmd = exec.Command(p.name, p.args...)
	p.cmd.Stdout, p.cmd.Stderr = log, log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatalf("start %s: %v", p.name, err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.addr, time.Second)
		if err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			p.stop()
			out, _ := os.ReadFile(log.Name())
			p.t.Fatalf("%s did not listen on %s: %v\n%s", p.name, p.addr, err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the process gracefully (SIGTERM, so it flushes its data) and
// kills it if it lingers.
func (p *process) stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
	p.cmd = nil
}

// restart stops the server, keeps it down for a moment, and starts it again.
func (p *process) restart(t *testing.T) {
	t.Helper()
	p.stop()
	time.Sleep(time.Second)
	p.start()
}

// binary finds a server executable, or skips/fails the test without it.
func binary(t *testing.T, paths ...string) string {
	t.Helper()
	for _, p := range paths {
		if filepath.IsAbs(p) {
			if _, err := os.Stat(p); err == nil {
				return p
			}
			continue
		}
		if found, err := exec.LookPath(p); err == nil {
			return found
		}
	}
	bustest.Unreachable(t, fmt.Sprint(paths), os.ErrNotExist)
	return ""
}
