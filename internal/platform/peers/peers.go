// Package peers builds the protocol peers that integration tests run as
// separate processes (MinIO for S3, goaws for SQS/SNS) from their pinned
// modules under tools/, once per version, into a cache outside the
// repository: $ALEXANDRIA_PEERS_DIR, else <user cache dir>/alexandria/peers
// (${XDG_CACHE_HOME:-$HOME/.cache} on Linux). A build is named after a hash
// of its tools/<name> files and the Go version, so a bumped pin builds anew
// and every worktree and CI run on the machine shares one copy.
// .ci/run prebuilds them with `go run ./internal/platform/peers/build`.
package peers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
)

// Peer is a server a test suite runs.
type Peer struct {
	Name string // the folder under tools/ and the binary's name
	Pkg  string // what to build there
}

// The peers the suites use.
var (
	MinIO = Peer{Name: "minio", Pkg: "github.com/minio/minio"}
	GoAWS = Peer{Name: "goaws", Pkg: "."}
)

// All lists every peer, for prebuilding.
var All = []Peer{MinIO, GoAWS}

// Dir is where built peers are kept.
func Dir() (string, error) {
	if d := os.Getenv("ALEXANDRIA_PEERS_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("peers: no cache directory (set ALEXANDRIA_PEERS_DIR): %w", err)
	}
	return filepath.Join(base, "alexandria", "peers"), nil
}

// Binary returns the path of p's executable, building it first when the
// cache has none for the current pin. Concurrent callers (test binaries of
// several packages) build it once: the first holds a lock, the others wait.
func Binary(p Peer) (string, error) {
	src, err := toolDir(p.Name)
	if err != nil {
		return "", err
	}
	sum, err := hashDir(src)
	if err != nil {
		return "", err
	}
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("peers: %w", err)
	}
	bin := filepath.Join(dir, p.Name+"-"+sum)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	unlock, err := lock(filepath.Join(dir, p.Name+".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(bin); err == nil { // built while we waited
		return bin, nil
	}
	tmp := bin + ".tmp"
	build := exec.CommandContext(context.Background(), "go", "build", "-o", tmp, p.Pkg) //nolint:gosec // fixed package names
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("peers: go build %s in tools/%s: %w\n%s", p.Pkg, p.Name, err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", fmt.Errorf("peers: %w", err)
	}
	removeOlder(dir, p.Name, bin)
	return bin, nil
}

// toolDir finds tools/<name> above the working directory (a test runs in
// its package's folder).
func toolDir(name string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		candidate := filepath.Join(dir, "tools", name)
		if _, err := os.Stat(filepath.Join(candidate, "go.mod")); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("peers: no tools/%s/go.mod above the working directory", name)
		}
		dir = parent
	}
}

// hashDir hashes the regular files of a tool's folder and the Go version.
func hashDir(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("peers: %w", err)
	}
	h := sha256.New()
	h.Write([]byte(runtime.Version()))
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n)) //nolint:gosec // the repository's own files
		if err != nil {
			return "", fmt.Errorf("peers: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// lock takes an exclusive file lock, waiting for it.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600) //nolint:gosec // our own cache
	if err != nil {
		return nil, fmt.Errorf("peers: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil { //nolint:gosec // a file descriptor fits an int
		_ = f.Close()
		return nil, fmt.Errorf("peers: lock %s: %w", path, err)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); _ = f.Close() }, nil //nolint:gosec // as above
}

// removeOlder deletes builds of older pins of the same peer.
func removeOlder(dir, name, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), name+"-") && p != keep {
			_ = os.Remove(p)
		}
	}
}

// ErrUnknown is returned by Find for a name that is not a peer.
var ErrUnknown = errors.New("peers: unknown peer")

// Find returns the peer called name.
func Find(name string) (Peer, error) {
	for _, p := range All {
		if p.Name == name {
			return p, nil
		}
	}
	return Peer{}, fmt.Errorf("%w %q", ErrUnknown, name)
}
