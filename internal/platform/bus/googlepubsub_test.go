package bus_test

import (
	"testing"

	"cloud.google.com/go/pubsub/v2/pstest"

	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
)

// TestGooglePubSub runs the contract against pstest, the Pub/Sub emulator
// of the Google client library, in-process.
func TestGooglePubSub(t *testing.T) {
	srv := pstest.NewServer()
	t.Cleanup(func() { _ = srv.Close() })
	bustest.Run(t, openURL("gcppubsub://alexandria-test?emulator="+srv.Addr), bustest.Capabilities{
		NoOrderReason:   "Pub/Sub orders only with ordering keys on ordered subscriptions, which this transport does not enable; messages are handled concurrently",
		NoRestartReason: "pstest runs in-process and keeps no data across a restart",
	})
}
