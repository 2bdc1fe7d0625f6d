package processing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The external tools. They run without a shell, with an explicit argv, in
// the job's directory, in their own process group (killed whole on timeout),
// with a minimal environment, and — when prlimit(1) from util-linux is
// installed — under an address-space limit. syscall.Setrlimit would limit
// this whole process, and os/exec has no per-child rlimit hook, so the limit
// is set by exec'ing `prlimit --as=BYTES -- tool args…`: prlimit applies it
// to itself and then becomes the tool (same PID, same process group).
//
// Tool arguments bound their own work too: ffmpeg gets -nostdin,
// -hide_banner, -threads 1 and -fs (largest output file); pdftoppm renders
// one page; pdftotext stops at max_pages.

const (
	toolFFmpeg    = "ffmpeg"
	toolFFprobe   = "ffprobe"
	toolPDFInfo   = "pdfinfo"
	toolPDFToPPM  = "pdftoppm"
	toolPDFToText = "pdftotext"

	// maxToolOutput caps what is kept of a tool's stdout (ffprobe's JSON,
	// pdfinfo's text); maxToolStderr what is kept of its diagnostics.
	maxToolOutput = 4 << 20
	maxToolStderr = 16 << 10
)

// tools finds and runs the external programs.
type tools struct {
	paths       map[string]string // tool → absolute path; missing tools are absent
	prlimit     string            // path of prlimit(1), or "" when it is not installed
	memoryLimit int
}

// findTools looks the tools up on PATH. Missing tools are reported by
// missing(), and jobs that need one fail with a clear reason.
func findTools(memoryLimit int) *tools {
	t := &tools{paths: map[string]string{}, memoryLimit: memoryLimit}
	for _, name := range []string{toolFFmpeg, toolFFprobe, toolPDFInfo, toolPDFToPPM, toolPDFToText} {
		if p, err := exec.LookPath(name); err == nil {
			t.paths[name] = p
		}
	}
	// Optional: without it, PDFs have no chapters.
	if p, err := exec.LookPath(toolPDFToHTML); err == nil {
		t.paths[toolPDFToHTML] = p
	}
	if memoryLimit > 0 {
		if p, err := exec.LookPath("prlimit"); err == nil {
			t.prlimit = p
		}
	}
	return t
}

// missing lists the tools that are not installed.
func (t *tools) missing() []string {
	var out []string
	for _, name := range []string{toolFFmpeg, toolFFprobe, toolPDFInfo, toolPDFToPPM, toolPDFToText} {
		if t.paths[name] == "" {
			out = append(out, name)
		}
	}
	return out
}

// toolError is a tool that failed: it exited non-zero, was killed, or ran
// out of time. Its message carries the tool's last diagnostic line.
type toolError struct {
	Tool     string
	TimedOut bool
	Stderr   string
	Err      error
}

func (e *toolError) Error() string {
	if e.TimedOut {
		return e.Tool + " took too long"
	}
	msg := lastLine(e.Stderr)
	if msg == "" {
		msg = e.Err.Error()
	}
	return e.Tool + ": " + msg
}

func (e *toolError) Unwrap() error { return e.Err }

// errNotInstalled means a tool a job needs is missing on this server.
var errNotInstalled = errors.New("not installed")

// lastLine is the last non-empty line of s, shortened.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	line := strings.TrimSpace(lines[len(lines)-1])
	// The original is always called "original": its name says nothing.
	line = strings.TrimPrefix(line, "original: ")
	if len(line) > 200 {
		line = line[:200] + "…"
	}
	return line
}

// command prepares name with args to run in dir, its process group killed
// when ctx ends.
func (t *tools) command(ctx context.Context, dir, name string, args ...string) (*exec.Cmd, error) {
	path := t.paths[name]
	if path == "" {
		return nil, fmt.Errorf("%s is %w on the processing server", name, errNotInstalled)
	}
	argv := append([]string{path}, args...)
	if t.prlimit != "" {
		argv = append([]string{t.prlimit, "--as=" + strconv.Itoa(t.memoryLimit), "--core=0", "--"}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...) //nolint:gosec // fixed tool paths, argv without a shell
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "HOME=" + dir, "TMPDIR=" + dir}
	cmd.Stdin = nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The negative PID signals the whole group: a tool's children go too.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd, nil
}

// run runs a tool to completion within timeout and returns its stdout
// (at most maxToolOutput bytes; more is an error).
func (t *tools) run(ctx context.Context, dir string, timeout time.Duration, name string, args ...string) ([]byte, error) {
	var out []byte
	err := t.stream(ctx, dir, timeout, name, args, func(r io.Reader) error {
		b, err := io.ReadAll(io.LimitReader(r, maxToolOutput+1))
		if err != nil {
			return err
		}
		if len(b) > maxToolOutput {
			return fmt.Errorf("%s wrote more than %d bytes", name, maxToolOutput)
		}
		out = b
		return nil
	})
	return out, err
}

// errStopTool is returned by a stream reader that has read enough: the
// tool is killed and its exit status ignored.
var errStopTool = errors.New("enough output")

// stream runs a tool within timeout and hands its stdout to read, which
// runs while the tool does. If read returns errStopTool the tool is killed
// and the run counts as a success; another error kills it and is returned.
func (t *tools) stream(parent context.Context, dir string, timeout time.Duration, name string, args []string, read func(io.Reader) error) error {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	cmd, err := t.command(ctx, dir, name, args...)
	if err != nil {
		return err
	}
	stderr := &tailBuffer{max: maxToolStderr}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return &toolError{Tool: name, Err: err}
	}
	readErr := read(stdout)
	if readErr != nil {
		cancel() // kills the group
	}
	// Drain what the reader left so the tool is not blocked on a full pipe.
	_, _ = io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	switch {
	case errors.Is(readErr, errStopTool):
		return nil
	case parent.Err() != nil:
		return parent.Err() // the job was cancelled or ran out of time
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(readErr, ctx.Err()):
		return &toolError{Tool: name, TimedOut: true, Stderr: stderr.String(), Err: ctx.Err()}
	case readErr != nil:
		return readErr
	case waitErr != nil:
		return &toolError{Tool: name, Stderr: stderr.String(), Err: waitErr}
	}
	return nil
}

// runToFile runs a tool that writes the file out in dir and checks that it
// did, with at most limit bytes.
func (t *tools) runToFile(ctx context.Context, dir string, timeout time.Duration, out string, limit int64, name string, args ...string) error {
	if _, err := t.run(ctx, dir, timeout, name, args...); err != nil {
		return err
	}
	fi, err := os.Stat(out)
	switch {
	case err != nil:
		return &toolError{Tool: name, Err: errors.New("produced no output")}
	case fi.Size() == 0:
		return &toolError{Tool: name, Err: errors.New("produced an empty file")}
	case fi.Size() > limit:
		return &toolError{Tool: name, Err: fmt.Errorf("produced more than %d bytes", limit)}
	}
	return nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > b.max {
		p = p[len(p)-b.max:]
	}
	if b.buf.Len()+len(p) > b.max {
		keep := b.buf.Bytes()[b.buf.Len()+len(p)-b.max:]
		rest := append([]byte(nil), keep...)
		b.buf.Reset()
		b.buf.Write(rest)
	}
	b.buf.Write(p)
	return n, nil
}

func (b *tailBuffer) String() string { return b.buf.String() }
