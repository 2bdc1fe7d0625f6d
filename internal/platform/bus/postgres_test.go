package bus_test

import (
	"os"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
)

// TestPostgres runs the contract against the machine's PostgreSQL
// (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test).
func TestPostgres(t *testing.T) {
	u := os.Getenv("TEST_POSTGRES_URL")
	if u == "" {
		u = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	bustest.Run(t, openURL(u), bustest.Capabilities{
		TakesTurns:      true,
		PerKeyOrder:     true,
		NoRestartReason: "PostgreSQL is the machine's shared service; the test does not restart it",
	})
}
