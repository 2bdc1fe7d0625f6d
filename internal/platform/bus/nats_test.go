package bus_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
)

// TestNATS runs the contract against a private nats-server with JetStream,
// so that it can restart the broker.
func TestNATS(t *testing.T) {
	bin := binary(t, "/usr/sbin/nats-server", "nats-server")
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	srv := startProcess(t, bin, addr, "-a", "127.0.0.1", "-p", fmt.Sprint(port), "-js", "-sd", t.TempDir())
	bustest.Run(t, openURL("nats://"+addr+"?ack_wait=2s"), bustest.Capabilities{
		PerKeyOrder:    true,
		RedeliveryWait: 4 * time.Second,
		RestartBroker:  srv.restart,
	})
}
