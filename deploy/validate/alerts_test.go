package validate

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"unicode"

	"sigs.k8s.io/yaml"
)

const runbookBase = "https://github.com/alexandria-platform/alexandria/blob/main/docs/operations.md#"

// TestEveryAlertHasARunbook: each alert rule carries a runbook_url to a
// section of docs/operations.md that exists; a new alert without one fails.
func TestEveryAlertHasARunbook(t *testing.T) {
	t.Parallel()
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `json:"alert"`
				Annotations map[string]string `json:"annotations"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy", "prometheus", "rules.yaml"), &rules); err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, "docs", "operations.md")))
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "#") {
			anchors[anchorOf(strings.TrimLeft(line, "# "))] = true
		}
	}
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			n++
			url := r.Annotations["runbook_url"]
			anchor, ok := strings.CutPrefix(url, runbookBase)
			if !ok {
				t.Errorf("alert %s: runbook_url %q does not point into docs/operations.md", r.Alert, url)
				continue
			}
			if !anchors[anchor] {
				t.Errorf("alert %s: docs/operations.md has no section #%s", r.Alert, anchor)
			}
		}
	}
	if n == 0 {
		t.Fatal("no alert rules found")
	}
}

// anchorOf is GitHub's anchor for a heading: lower case, spaces to
// hyphens, punctuation dropped.
func anchorOf(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ' || r == '-':
			b.WriteRune('-')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestAmtool: the Alertmanager configuration passes `amtool check-config`
// (Debian prometheus-alertmanager).
func TestAmtool(t *testing.T) {
	t.Parallel()
	amtool := tool(t, "AMTOOL", "amtool")
	cmd := exec.Command(amtool, "check-config", "alertmanager.yml")
	cmd.Dir = path("deploy", "alertmanager")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("amtool check-config: %v\n%s", err, out)
	}
}
