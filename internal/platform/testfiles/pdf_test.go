package testfiles

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPDFsAreValid has poppler read what the builders make.
func TestPDFsAreValid(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("TEST_REQUIRE_SERVERS") == "1" {
			t.Fatal("pdftotext required (poppler-utils)")
		}
		t.Skip("poppler-utils not installed")
	}
	for name, pdf := range map[string][]byte{
		"plain":  PDF("T", "hello there", 1),
		"padded": PaddedPDF("T", "hello there", 1<<20),
	} {
		f := filepath.Join(t.TempDir(), name+".pdf")
		if err := os.WriteFile(f, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", f, "-").CombinedOutput()
		if err != nil || strings.Contains(string(out), "Error") || !strings.Contains(string(out), "hello there") {
			t.Fatalf("%s: %v %q", name, err, out)
		}
	}
}
