//go:build !lean && !no_nats

package backends

import (
	"github.com/alexandria-platform/alexandria/internal/platform/bus/natsbus"
)

func nats() error { return natsbus.Register() }
