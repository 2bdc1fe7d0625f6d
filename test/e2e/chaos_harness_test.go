package e2e

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// privatePostgres is a PostgreSQL server of the test's own (initdb and
// pg_ctl in a temporary directory, on a free port) that the test may stop
// and start without disturbing the shared server other tests use.
type privatePostgres struct {
	t    *testing.T
	bin  string // the directory of Debian's server binaries
	dir  string // the cluster, owned by the server's user
	port int
	cred *syscall.Credential // nil: run as the test's own user
	URL  string
}

// startPrivatePostgres creates a cluster and starts it; it skips when the
// server binaries are absent (and fails under TEST_REQUIRE_SERVERS=1).
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Strings(bins)
	if len(bins) == 0 {
		if requireServers() {
			t.Fatal("PostgreSQL server binaries required (Debian postgresql)")
		}
		t.Skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) not installed")
	}
	pg := &privatePostgres{t: t, bin: filepath.Dir(bins[len(bins)-1]), port: freeTCPPort(t)}
	// t.TempDir's parents are private to the test's user; PostgreSQL
	// refuses to run as root, so as root the cluster goes to a directory
	// of its own that the postgres user owns.
	dir, err := os.MkdirTemp("", "alexandria-chaos-pg-")
	must(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	pg.dir = dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root without a postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		pg.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		must(t, os.Chown(dir, uid, gid))
	}
	pg.run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	pg.start()
	t.Cleanup(func() { pg.ctl("stop", "-m", "immediate") })
	pg.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
	return pg
}

func (pg *privatePostgres) run(tool string, args ...string) {
	pg.t.Helper()
	cmd := exec.Command(filepath.Join(pg.bin, tool), args...)
	cmd.Dir = pg.dir
	if pg.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: pg.cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		pg.t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
}

func (pg *privatePostgres) ctl(args ...string) {
	pg.t.Helper()
	cmd := exec.Command(filepath.Join(pg.bin, "pg_ctl"), append([]string{"-D", filepath.Join(pg.dir, "data")}, args...)...)
	cmd.Dir = pg.dir
	if pg.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: pg.cred}
	}
	_ = cmd.Run()
}

// start starts the server and waits until it accepts connections.
func (pg *privatePostgres) start() {
	pg.t.Helper()
	pg.run("pg_ctl", "-D", filepath.Join(pg.dir, "data"), "-l", filepath.Join(pg.dir, "server.log"), "-w", "-t", "60",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", pg.port, pg.dir), "start")
	addr := fmt.Sprintf("127.0.0.1:%d", pg.port)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			return
		}
	}
	pg.t.Fatalf("private PostgreSQL did not listen on %s", addr)
}

// stop shuts the server down the way an operator or a failover does:
// sessions are terminated, new connections refused.
func (pg *privatePostgres) stop() {
	pg.t.Helper()
	pg.run("pg_ctl", "-D", filepath.Join(pg.dir, "data"), "-w", "-t", "60", "-m", "fast", "stop")
}

// shortClient is for probes that must not hang on a stuck server.
var shortClient = &http.Client{Timeout: 5 * time.Second}

// readyz answers the process's /readyz status (0: no answer).
func readyz(base string) int {
	resp, err := shortClient.Get(base + "/readyz")
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}
