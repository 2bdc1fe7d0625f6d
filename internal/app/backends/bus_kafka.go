//go:build !lean && !no_kafka

package backends

import (
	"github.com/alexandria-platform/alexandria/internal/platform/bus/kafkabus"
)

func kafka() error { return kafkabus.Register() }
