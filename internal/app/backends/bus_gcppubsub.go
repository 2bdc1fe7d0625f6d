//go:build !lean && !no_gcppubsub

package backends

import (
	"github.com/alexandria-platform/alexandria/internal/platform/bus/gcppubsubbus"
)

func gcpPubSub() error { return gcppubsubbus.Register() }
