package validate

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// targetUses reports whether the target's package (internal/<name>, test
// files aside) matches re: how the checks learn, from the code, which
// targets need the object store or the media image.
func targetUses(t *testing.T, name string, re *regexp.Regexp) bool {
	t.Helper()
	files, err := filepath.Glob(path("internal", name, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in internal/%s", name)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if re.Match(b) {
			return true
		}
	}
	return false
}

var (
	blobUse = regexp.MustCompile(`\bd\.Blob\b`) // the shared object store; analytics' lake has its own URL (ALEXANDRIA_LAKE_URL)
	execUse = regexp.MustCompile(`"os/exec"`)
)

// usesBlob: the target opens the object store (ALEXANDRIA_BLOB_URL and the
// store's credentials must reach it, and every such target must share it).
func usesBlob(t *testing.T, name string) bool { return targetUses(t, name, blobUse) }

// needsMediaImage: the target runs external programs (ffmpeg, poppler),
// which the distroless image does not have.
func needsMediaImage(t *testing.T, name string) bool { return targetUses(t, name, execUse) }

// root is the repository root, two levels up from deploy/validate.
var root = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}()

func path(parts ...string) string { return filepath.Join(append([]string{root}, parts...)...) }

func readFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(path(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tool finds an executable: $ENV when set, else bin/<name> of the
// repository, else PATH. Missing, the test skips — and fails in CI
// (TEST_REQUIRE_SERVERS=1).
func tool(t *testing.T, env, name string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	if p := path("bin", name); isExecutable(p) {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	msg := name + " not found (set " + env + ", or build it: make deploy-check)"
	if os.Getenv("TEST_REQUIRE_SERVERS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

var (
	targetsOnce sync.Once
	targetNames []string
)

// targets lists the binary's targets from internal/app/registry.go, so a new
// target that the deployment files forget fails here.
func targets(t *testing.T) []string {
	t.Helper()
	targetsOnce.Do(func() {
		src := string(readFile(t, "internal", "app", "registry.go"))
		start := strings.Index(src, "var targets = []Target{")
		if start < 0 {
			return
		}
		block := src[start:]
		block = block[:strings.Index(block, "\n}\n")]
		for _, m := range regexp.MustCompile(`(?m)^\t\tName:\s+"([a-z]+)"`).FindAllStringSubmatch(block, -1) {
			targetNames = append(targetNames, m[1])
		}
	})
	if len(targetNames) == 0 {
		t.Fatal("no targets found in internal/app/registry.go")
	}
	return slices.Clone(targetNames)
}

var (
	optionsOnce sync.Once
	optionNames map[string]bool
)

// knownEnv reports whether name is an ALEXANDRIA_* variable the binary reads
// (docs/configuration-reference.md, generated from the code and checked by
// `make lint`). The binary refuses to start on an unknown one.
func knownEnv(t *testing.T, name string) bool {
	t.Helper()
	optionsOnce.Do(func() {
		optionNames = map[string]bool{}
		for _, m := range regexp.MustCompile("\\| `(ALEXANDRIA_[A-Z0-9_]+)` \\|").FindAllStringSubmatch(string(readFile(t, "docs", "configuration-reference.md")), -1) {
			optionNames[m[1]] = true
		}
	})
	if len(optionNames) < 10 {
		t.Fatalf("read only %d options from docs/configuration-reference.md", len(optionNames))
	}
	return optionNames[name]
}

// checkEnvNames fails for every ALEXANDRIA_* name the binary does not know.
func checkEnvNames(t *testing.T, where string, names []string) {
	t.Helper()
	for _, n := range names {
		if strings.HasPrefix(n, "ALEXANDRIA_") && !knownEnv(t, n) {
			t.Errorf("%s: %s is not an option of the binary (docs/configuration-reference.md); it would refuse to start", where, n)
		}
	}
}
