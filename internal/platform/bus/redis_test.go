package bus_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
)

// TestRedisStreams runs the contract against a private redis-server (with an
// append-only file, so the streams survive its restart).
func TestRedisStreams(t *testing.T) {
	bin := binary(t, "redis-server")
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	srv := startProcess(t, bin, addr, "--bind", "127.0.0.1", "--port", fmt.Sprint(port),
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", t.TempDir())
	bustest.Run(t, openURL("redis://"+addr+"/0?min_idle=2s&claim_interval=500ms"), bustest.Capabilities{
		PerKeyOrder:    true,
		RedeliveryWait: 4 * time.Second,
		RestartBroker:  srv.restart,
	})
}
