//go:build lean || no_amqp

package backends

func amqp() error { return nil }
