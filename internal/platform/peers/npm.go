package peers

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// NPMPeer is a test peer published on npm, installed at a pinned version
// into <Dir>/npm/<name>-<version> (outside the repository, shared by every
// worktree and CI run on the machine). Node.js and npm must be on PATH.
type NPMPeer struct {
	Name    string // the npm package
	Version string // pinned: a new pin installs anew beside the old one
}

// The npm peers the suites use. Azurite 3.35.0 is the last release that
// runs on Node 20 (3.36 wants Node 21, 3.37 Node 22).
var (
	Azurite = NPMPeer{Name: "azurite", Version: "3.35.0"}
)

// AllNPM lists every npm peer, for preinstalling (make peers).
var AllNPM = []NPMPeer{Azurite}

// Install installs p once and returns its folder, which holds
// node_modules/<name> and node_modules/.bin. Concurrent callers wait for
// the first one's install.
func Install(p NPMPeer) (string, error) {
	base, err := Dir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(base, "npm", p.Name+"-"+p.Version)
	marker := filepath.Join(dir, "node_modules", p.Name, "package.json")
	if _, err := os.Stat(marker); err == nil {
		return dir, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("peers: %s needs npm: %w", p.Name, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("peers: %w", err)
	}
	unlock, err := lock(filepath.Join(base, "npm", p.Name+".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(marker); err == nil { // installed while we waited
		return dir, nil
	}
	manifest := fmt.Sprintf(`{"name":"%s-peer","private":true}`, p.Name)
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(manifest), 0o600); err != nil {
		return "", fmt.Errorf("peers: %w", err)
	}
	install := exec.CommandContext(context.Background(), "npm", "install", "--no-audit", "--no-fund", "--omit=dev", //nolint:gosec // pinned names
		p.Name+"@"+p.Version)
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		return "", fmt.Errorf("peers: npm install %s@%s: %w\n%s", p.Name, p.Version, err, out)
	}
	return dir, nil
}

// FindNPM returns the npm peer called name.
func FindNPM(name string) (NPMPeer, error) {
	for _, p := range AllNPM {
		if p.Name == name {
			return p, nil
		}
	}
	return NPMPeer{}, fmt.Errorf("%w %q", ErrUnknown, name)
}
