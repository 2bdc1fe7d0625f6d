package bus_test

import (
	"os"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
)

// TestAMQP runs the contract against the machine's RabbitMQ
// (TEST_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672/).
func TestAMQP(t *testing.T) {
	u := os.Getenv("TEST_AMQP_URL")
	if u == "" {
		u = "amqp://guest:guest@127.0.0.1:5672/"
	}
	bustest.Run(t, openURL(u), bustest.Capabilities{
		PerKeyOrder:     true,
		NoRestartReason: "RabbitMQ is the machine's shared service; the test does not restart it",
	})
}
