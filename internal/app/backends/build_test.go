//go:build !lean && !no_nats && !no_kafka && !no_amqp && !no_gcppubsub && !no_aws && !no_redisstreams && !no_pgbus && !no_s3 && !no_gcs && !no_azblob

package backends_test

import (
	"testing"

	"github.com/alexandria-platform/alexandria/internal/app/backends"
	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

func TestDefaultBuildLinksEveryBackend(t *testing.T) {
	if err := backends.Register(); err != nil {
		t.Fatal(err)
	}
	for _, b := range bus.Backends {
		if !bus.Registered(b.Name) {
			t.Errorf("bus transport %s is not registered", b.Name)
		}
	}
	for _, s := range blob.Stores {
		if !blob.Registered(s.Scheme) {
			t.Errorf("blob store %s is not registered", s.Scheme)
		}
	}
}
