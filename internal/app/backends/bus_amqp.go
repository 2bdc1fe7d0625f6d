//go:build !lean && !no_amqp

package backends

import (
	"github.com/alexandria-platform/alexandria/internal/platform/bus/amqpbus"
)

func amqp() error { return amqpbus.Register() }
