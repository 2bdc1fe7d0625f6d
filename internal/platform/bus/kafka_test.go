package bus_test

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/alexandria-platform/alexandria/internal/platform/bus/bustest"
)

// TestKafka runs the contract against kfake, an in-process Kafka that
// speaks the wire protocol to Sarama.
func TestKafka(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	bustest.Run(t, openURL("kafka://"+strings.Join(cluster.ListenAddrs(), ",")+"?partitions=4"), bustest.Capabilities{
		PerKeyOrder:     true,
		KeyedReplicas:   true,
		RedeliveryWait:  15 * time.Second, // a consumer group rebalance
		NoRestartReason: "kfake runs in-process and keeps no data across a restart",
	})
}
