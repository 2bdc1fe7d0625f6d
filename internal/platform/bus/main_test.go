package bus_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/bus/amqpbus"
	"github.com/alexandria-platform/alexandria/internal/platform/bus/awsbus"
	"github.com/alexandria-platform/alexandria/internal/platform/bus/gcppubsubbus"
	"github.com/alexandria-platform/alexandria/internal/platform/bus/kafkabus"
	"github.com/alexandria-platform/alexandria/internal/platform/bus/natsbus"
	"github.com/alexandria-platform/alexandria/internal/platform/bus/postgresbus"
	"github.com/alexandria-platform/alexandria/internal/platform/bus/redisbus"
)

// TestMain links every transport in, as the default build does, so the
// contract suite runs against each one's broker.
func TestMain(m *testing.M) {
	for _, register := range []func() error{
		amqpbus.Register, awsbus.Register, gcppubsubbus.Register, kafkabus.Register,
		natsbus.Register, postgresbus.Register, redisbus.Register,
	} {
		if err := register(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}
