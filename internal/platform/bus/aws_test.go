package bus_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
)

// goaws starts a private goaws (SQS/SNS emulator) on a free loopback port,
// building bin/goaws from tools/goaws when it is absent.
func goaws(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	bin := filepath.Join(root, "bin", "goaws")
	if _, err := os.Stat(bin); err != nil {
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = filepath.Join(root, "tools", "goaws")
		if out, err := build.CombinedOutput(); err != nil {
			bustest.Unreachable(t, "goaws (go build in tools/goaws)", fmt.Errorf("%w\n%s", err, out))
		}
	}
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	config := filepath.Join(t.TempDir(), "goaws.yaml")
	yaml := fmt.Sprintf("Local:\n  Host: 127.0.0.1\n  Port: %d\n  Region: us-east-1\n  AccountId: \"100010001000\"\n"+
		"  QueueAttributeDefaults:\n    VisibilityTimeout: 30\n    ReceiveMessageWaitTimeSeconds: 0\n", port)
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	startProcess(t, bin, addr, "-config", config, "-listen", addr)
	return addr
}

func TestAWSSQS(t *testing.T) {
	addr := goaws(t)
	bustest.Run(t, openURL("awssqs://"+addr+"?region=us-east-1&visibility=1s"), bustest.Capabilities{
		NoOrderReason:   "SQS standard queues do not keep order",
		RedeliveryWait:  5 * time.Second,
		NoRestartReason: "goaws keeps its queues in memory only",
	})
}

func TestAWSSNS(t *testing.T) {
	addr := goaws(t)
	bustest.Run(t, openURL("awssns://"+addr+"?region=us-east-1&visibility=1s&queue_policy=false"), bustest.Capabilities{
		NoOrderReason:   "SQS standard queues do not keep order",
		RedeliveryWait:  5 * time.Second,
		NoRestartReason: "goaws keeps its queues and topics in memory only",
	})
}
