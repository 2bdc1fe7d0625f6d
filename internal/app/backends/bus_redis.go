//go:build !lean && !no_redisstreams

package backends

import (
	"github.com/alexandria-platform/alexandria/internal/platform/bus/redisbus"
)

func redisStreams() error { return redisbus.Register() }
