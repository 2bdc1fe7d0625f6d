package bus_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
	"github.com/alexandria-platform/alexandria/internal/platform/peers"
)

// goaws starts a private goaws (SQS/SNS emulator) on a free loopback port,
// built once from tools/goaws into the peers cache (package peers).
func goaws(t *testing.T) string {
	t.Helper()
	bin, err := peers.Binary(peers.GoAWS)
	if err != nil {
		bustest.Unreachable(t, "goaws (tools/goaws)", err)
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
