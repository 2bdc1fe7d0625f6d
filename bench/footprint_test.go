package bench

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkFootprint starts the real all-in-one binary (`alexandria serve`,
// every target in one process, SQLite and the embedded bus) on a new data
// directory, times it until /readyz answers 200, lets it idle, and reads its
// resident memory (VmRSS in /proc/PID/status) and the CPU it burns while
// idle. Each iteration is a fresh process on a fresh directory.
//
// ALEXANDRIA_BIN names a built binary to measure; without it the benchmark
// builds ./cmd/alexandria first (not timed). FOOTPRINT_IDLE sets the idle
// wait (default 10s).
func BenchmarkFootprint(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc (Linux)")
	}
	bin := os.Getenv("ALEXANDRIA_BIN")
	if bin == "" {
		bin = filepath.Join(b.TempDir(), "alexandria")
		build := exec.Command("go", "build", "-o", bin, "github.com/alexandria-platform/alexandria/cmd/alexandria")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			b.Fatalf("build: %v", err)
		}
	}
	idle := 10 * time.Second
	if v := os.Getenv("FOOTPRINT_IDLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		idle = d
	}
	var starts, rss, cpu []float64
	for b.Loop() {
		s, r, c := footprintOnce(b, bin, idle)
		starts, rss, cpu = append(starts, s), append(rss, r), append(cpu, c)
	}
	b.ReportMetric(median(starts), "startup_ms")
	b.ReportMetric(median(rss), "idle_rss_MB")
	b.ReportMetric(median(cpu), "idle_cpu_ms/s")
}

var servingAt = regexp.MustCompile(`running at (http://\S+)`)

// footprintOnce runs one process: start-up in ms, idle RSS in MB, idle CPU in
// CPU-ms per second.
func footprintOnce(b *testing.B, bin string, idle time.Duration) (startMS, rssMB, cpuMS float64) {
	b.Helper()
	dir := b.TempDir()
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"ALEXANDRIA_HTTP_ADDR=127.0.0.1:0", "ALEXANDRIA_HTTP_OPS_ADDR=127.0.0.1:0", "ALEXANDRIA_DATA_DIR=" + filepath.Join(dir, "data"),
		"ALEXANDRIA_ADMIN_PASSWORD=footprint-benchmark-password"}
	for _, kv := range os.Environ() { // let GOGC/GOMEMLIMIT experiments through
		if strings.HasPrefix(kv, "GOGC=") || strings.HasPrefix(kv, "GOMEMLIMIT=") || strings.HasPrefix(kv, "GODEBUG=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = io.Discard
	began := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := servingAt.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	var base string
	select {
	case base = <-urls:
	case <-time.After(2 * time.Minute):
		b.Fatal("alexandria did not announce its address within 2 minutes")
	}
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(began) > 2*time.Minute {
			b.Fatal("alexandria not ready within 2 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	startMS = float64(time.Since(began).Microseconds()) / 1000

	// Let start-up work (migrations, first polls) settle, then measure the
	// idle CPU over the rest of the wait and read RSS at its end.
	time.Sleep(idle / 2)
	cpu0 := procCPUTime(b, cmd.Process.Pid)
	t0 := time.Now()
	time.Sleep(idle / 2)
	cpuMS = float64((procCPUTime(b, cmd.Process.Pid) - cpu0).Milliseconds()) / time.Since(t0).Seconds()
	rssMB = float64(vmRSS(b, cmd.Process.Pid)) / 1024
	return startMS, rssMB, cpuMS
}

// vmRSS is the process's resident set in KiB.
func vmRSS(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb
		}
	}
	b.Fatal("no VmRSS in /proc status")
	return 0
}

// procCPUTime is the process's user + system CPU time (/proc/PID/stat, fields 14
// and 15, in clock ticks of 10 ms on Linux).
func procCPUTime(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, err1 := strconv.ParseInt(fields[11], 10, 64)
	st, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("parse /proc/%d/stat", pid)
	}
	return time.Duration(ut+st) * 10 * time.Millisecond
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
