package validate

import (
	"os/exec"
	"testing"
)

// TestPromtool: the alert rules pass `promtool check rules` and their unit
// tests (rules_test.yaml), and the Compose Prometheus configuration loads.
// promtool comes from Debian's prometheus package.
func TestPromtool(t *testing.T) {
	t.Parallel()
	promtool := tool(t, "PROMTOOL", "promtool")
	for _, args := range [][]string{
		{"check", "rules", "rules.yaml"},
		{"test", "rules", "rules_test.yaml"},
		{"check", "config", "prometheus.yml"},
	} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = path("deploy", "prometheus")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("promtool %v: %v\n%s", args, err, out)
		}
	}
}
